// Evaluates OpenStreetMap opening_hours values with opening_hours.js, the
// reference implementation, for the differential test of package
// data/hours (data/hours/oracle_test.go), which runs it once per batch.
//
// Reads one JSON object on standard input:
//
//	{"holidays": {"<calendar>": [[year, month, day, name], …], …},
//	 "cases": [{"value": "…", "at": unix seconds, "tz": "Europe/Paris",
//	            "calendar": "<calendar>"}, …]}
//
// and writes one JSON array, one element per case, in order:
//
//	{"state": "open"|"closed"|"unknown", "next": unix seconds or null,
//	 "comment": "…" or null} or {"error": "…"}
//
// "next" is getNextChange within the same five-year horizon as the Go
// side (5 × 366 days).
//
// Public holidays: the Go side names every holiday of each calendar, so
// that both engines use one list. opening_hours.js reads holidays from
// its own definitions, by country and state; a state it does not define
// is looked up as a property of the country's definition object, a plain
// object, so each calendar is a non-enumerable property of
// Object.prototype named after it, holding {PH: [{name, fixed_date,
// year}, …]}. Before any case is evaluated, every calendar is checked:
// the days opening_hours.js evaluates "PH" as open must be exactly those
// given.
'use strict';

const OpeningHours = require('opening_hours');

const horizonMs = 5 * 366 * 24 * 3600 * 1000;
const calendarPrefix = 'guichet-calendar:';

function nominatim(calendar) {
  return { lat: '48.85', lon: '2.35', address: { country_code: 'fr', state: calendarPrefix + calendar } };
}

function defineCalendars(holidays) {
  for (const [calendar, days] of Object.entries(holidays)) {
    const ph = days.map(([y, m, d, name]) => ({ name, fixed_date: [m, d], year: y }));
    Object.defineProperty(Object.prototype, calendarPrefix + calendar, {
      value: { PH: ph },
      enumerable: false,
      configurable: true,
    });
  }
}

// checkCalendars fails unless opening_hours.js is open on "PH" exactly on
// the given days of each calendar, between the first and last given year.
function checkCalendars(holidays) {
  process.env.TZ = 'UTC';
  for (const [calendar, days] of Object.entries(holidays)) {
    if (days.length === 0) throw new Error(`calendar ${calendar}: no holidays given`);
    const want = new Set(days.map(([y, m, d]) => `${y}-${m}-${d}`));
    const first = days[0][0];
    const last = days[days.length - 1][0];
    const oh = new OpeningHours('PH', nominatim(calendar));
    const got = new Set();
    const it = oh.getIterator(new Date(first, 0, 1));
    const end = new Date(last + 1, 0, 1);
    for (;;) {
      if (it.getState()) {
        const d = it.getDate();
        got.add(`${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`);
      }
      if (!it.advance(end)) break;
    }
    for (const d of want) if (!got.has(d)) throw new Error(`calendar ${calendar}: ${d} is not PH for opening_hours.js`);
    for (const d of got) if (!want.has(d)) throw new Error(`calendar ${calendar}: ${d} is PH for opening_hours.js only`);
  }
}

function evaluate(c, cache) {
  const cacheKey = c.calendar + '\u0000' + c.value;
  let oh = cache.get(cacheKey);
  if (oh === undefined) {
    try {
      oh = new OpeningHours(c.value, nominatim(c.calendar));
    } catch (e) {
      oh = { error: String(e) };
    }
    cache.set(cacheKey, oh);
  }
  if (oh.error !== undefined) return { error: oh.error };
  const at = new Date(c.at * 1000);
  const state = oh.getUnknown(at) ? 'unknown' : oh.getState(at) ? 'open' : 'closed';
  const next = oh.getNextChange(at, new Date(at.getTime() + horizonMs));
  const comment = oh.getComment(at);
  return {
    state,
    next: next === undefined ? null : next.getTime() / 1000,
    comment: comment === undefined ? null : comment,
  };
}

function main() {
  const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  defineCalendars(input.holidays);
  checkCalendars(input.holidays);
  const out = new Array(input.cases.length);
  // Cases are evaluated zone by zone: opening_hours.js works on the wall
  // clock of the process zone, which Node resets when TZ is assigned.
  const order = input.cases.map((c, i) => i).sort((a, b) => (input.cases[a].tz < input.cases[b].tz ? -1 : input.cases[a].tz > input.cases[b].tz ? 1 : a - b));
  let zone;
  let cache;
  for (const i of order) {
    const c = input.cases[i];
    if (c.tz !== zone) {
      zone = c.tz;
      process.env.TZ = zone;
      cache = new Map(); // parsed values hold dates of their zone
    }
    try {
      out[i] = evaluate(c, cache);
    } catch (e) {
      out[i] = { error: 'evaluation: ' + String(e) };
    }
  }
  process.stdout.write(JSON.stringify({ generator: 'opening_hours.js ' + require('opening_hours/package.json').version, results: out }) + '\n');
}

main();
