package dispatcher

import "testing"

// TestHead checks the word a segment is compared by against its plain
// definition: the first eight bytes, little-endian, zero-padded.
func TestHead(t *testing.T) {
	const bytes = "abcdefghij/\x00\xff"
	for n := 0; n <= len(bytes); n++ {
		for off := 0; off+n <= len(bytes); off++ {
			s := bytes[off : off+n]
			var want uint64
			for i := min(len(s), 8) - 1; i >= 0; i-- {
				want = want<<8 | uint64(s[i])
			}
			if got := head(s); got != want {
				t.Errorf("head(%q) = %#x, want %#x", s, got, want)
			}
		}
	}
}
