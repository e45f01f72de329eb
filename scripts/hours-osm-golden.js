// Writes data/hours/testdata/osm-golden.json: the state, comment and next
// change that opening_hours.js gives for OSM values at fixed instants in
// Europe/Paris, for the differential test of package data/hours.
//
// Usage (the golden test never needs node; the live differential test,
// data/hours/differential_test.go, runs scripts/hours-oracle/oracle.js):
//
//	(cd scripts/hours-oracle && npm ci)
//	NODE_PATH=scripts/hours-oracle/node_modules TZ=Europe/Paris \
//	  node scripts/hours-osm-golden.js > data/hours/testdata/osm-golden.json
'use strict';

const OpeningHours = require('opening_hours');

if (process.env.TZ !== 'Europe/Paris') {
  throw new Error('run with TZ=Europe/Paris: opening_hours.js evaluates in the process zone');
}

const values = [
  'Mo-Sa 08:00-12:00,14:00-18:00; Su 09:00-12:00,15:00-18:00; PH 09:00-12:00,15:00-18:00',
  'We 08:00-12:00; PH off',
  'Mo,Th,Sa 14:15-17:45; Fr 08:00-12:00; PH off',
  'We,Sa 14:00-18:00; PH 15:00-18:00',
  '24/7',
  'off',
  'Fr 20:00-02:00',
  'Fr 20:00-02:00; Sa 10:00-12:00',
  'Sa 10:00-12:00; Fr 20:00-02:00',
  'Fr 20:00-02:00; Sa off',
  'Mo-Su 20:00-02:00',
  'Mo-Fr 08:00-18:00, We 12:00-14:00 off',
  'Jul Mo-Fr 10:00-12:00, Sa 10:00-11:00',
  '"sur rendez-vous"',
  'Mo-Su 10:00-24:00',
  'Mo-Fr 08:00-12:00 || "sur rendez-vous"',
  'Mo 10:00-12:00 unknown "travaux"',
  'Su[1],We[-1] 10:00-12:00',
  'Jul Mo-Fr 10:00-12:00',
  'Mo-Su 10:00-12:00; Jul 14 off',
  'Mo-Su 10:00-12:00; Dec 24-Jan 02 off',
  'Mo-Su 10:00-12:00; 2026 Dec 24-2027 Jan 02 off',
  'week 28-29 Mo-Su 09:00-10:00',
  'week 01-53/2 Mo 09:00-10:00',
  'Mo 10:00-12:00, We 14:00-16:00',
  'Su 02:00-04:00',
  'Su 01:00-03:00',
  'PH,Su 10:00-12:00',
];

// Instants: a fortnight around 14 July, both 2026 DST weekends, and the
// turn of the year.
const instants = [];
function every(from, to, minutes) {
  for (let t = Date.parse(from); t < Date.parse(to); t += minutes * 60000) {
    instants.push(t / 1000);
  }
}
every('2026-07-08T00:00:00Z', '2026-07-16T00:00:00Z', 45);
every('2026-03-28T12:00:00Z', '2026-03-30T00:00:00Z', 30);
every('2026-10-24T12:00:00Z', '2026-10-26T00:00:00Z', 30);
every('2026-12-23T00:00:00Z', '2027-01-04T00:00:00Z', 360);

const nominatim = { lat: 48.85, lon: 2.35, address: { country_code: 'fr', state: 'Île-de-France' } };
const horizon = 5 * 366 * 24 * 3600 * 1000;

const cases = values.map((value) => {
  const oh = new OpeningHours(value, nominatim);
  const states = [];
  const comments = {}; // instant index → comment, when there is one
  const next = [];
  for (const [i, s] of instants.entries()) {
    const d = new Date(s * 1000);
    states.push(oh.getUnknown(d) ? 'u' : oh.getState(d) ? 'o' : 'c');
    const c = oh.getComment(d);
    if (c) comments[i] = c;
    const n = oh.getNextChange(d, new Date(s * 1000 + horizon));
    next.push(n === undefined ? 0 : n.getTime() / 1000);
  }
  return { value, states: states.join(''), comments, next };
});

process.stdout.write(JSON.stringify({
  generator: 'opening_hours.js ' + require('opening_hours/package.json').version,
  zone: 'Europe/Paris',
  instants,
  cases,
}) + "\n");
