package load

import (
	"os"
	"testing"
)

// BenchmarkDirSnapshot is a warm load of GUICHET_OPENDATA from its
// snapshot, the start of every command after the first.
func BenchmarkDirSnapshot(b *testing.B) {
	dir := os.Getenv("GUICHET_OPENDATA")
	if dir == "" {
		b.Skip("GUICHET_OPENDATA not set")
	}
	so := SnapshotOptions{Dir: b.TempDir()}
	if _, _, err := DirSnapshot(dir, Options{}, so); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, st, err := DirSnapshot(dir, Options{}, so)
		if err != nil || st.Used == "" {
			b.Fatalf("snapshot not used: %v %+v", err, st)
		}
	}
}
