package data

import "runtime"

type runtimeMemStats struct{ runtime.MemStats }

// heapInuseAfterGC returns HeapInuse after a full collection.
func (m *runtimeMemStats) heapInuseAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m.MemStats)
	return m.HeapInuse
}
