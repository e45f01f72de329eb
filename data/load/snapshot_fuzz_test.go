package load

import (
	"os"
	"testing"

	"guichet/data"
)

// FuzzSnapshotPayload: the snapshot payload is read back from a file, so
// its decoder is a parser of untrusted bytes: whatever they are, decoding
// and restoring a dataset from them returns a dataset or an error, never a
// panic. The checksum of the file around it is left out, so that the
// fuzzer's mutations reach the decoder. Seeded with the snapshots of
// fixtures.
func FuzzSnapshotPayload(f *testing.F) {
	for _, dir := range []string{"jurisdiction", "ban", "servicepublic", "police-territory"} {
		src, err := readFS(os.DirFS("../testdata/"+dir), Options{})
		if err != nil {
			f.Fatal(err)
		}
		_, payload := buildPayload(src)
		f.Add(payload)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		src, sum, fill, check, err := decodePayload(p)
		if err != nil || check() != nil {
			return
		}
		data.Restore(src, sum, fill).Warm()
	})
}
