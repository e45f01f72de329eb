package data

import "sync"

// lazy is a part of a Dataset built on first use, once, so that a load
// serves its first answers without building an index they do not need: a
// one-off command asking for the nearest station never builds the
// open-now index. Dataset.Warm builds it ahead of the requests. A first
// use concurrent with another waits for the one build.
type lazy[T any] struct {
	once  sync.Once
	build func() T // nil when there is nothing to build
	v     T
}

func (l *lazy[T]) get() T {
	l.once.Do(func() {
		if l.build != nil {
			l.v = l.build()
			l.build = nil // lets go of what it captured
		}
	})
	return l.v
}

// set makes v the value, built already.
func (l *lazy[T]) set(v T) {
	l.once.Do(func() { l.v = v })
}

// Warm builds the parts of the dataset that are otherwise built on first
// use (the open-now index; the commune index and the geocoder of a
// restored dataset), so that no request waits for them. Safe to call
// concurrently with queries.
func (d *Dataset) Warm() {
	d.open.get()
	d.geocoder.get() // builds the commune index first
}
