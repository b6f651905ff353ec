package detachkeys

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/burrow/burrow/errdefs"
)

// Default is docker's and podman's sequence.
const Default = "ctrl-p,ctrl-q"

// ErrDetached is what Copy returns when the sequence was typed.
var ErrDetached = errors.New("detached")

// Parse reads docker's notation: comma-separated keys, each one
// character or ctrl-X (X a letter or one of @[\]^_). "" means none.
func Parse(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	var seq []byte
	for _, k := range strings.Split(s, ",") {
		switch {
		case len(k) == 1:
			seq = append(seq, k[0])
		case len(k) == 6 && strings.HasPrefix(strings.ToLower(k), "ctrl-"):
			c := k[5]
			switch {
			case c >= 'a' && c <= 'z':
				seq = append(seq, c-'a'+1)
			case c >= 'A' && c <= 'Z':
				seq = append(seq, c-'A'+1)
			case c == '@' || (c >= '[' && c <= '_'):
				seq = append(seq, c-'@')
			default:
				return nil, fmt.Errorf("%w: --detach-keys %q: unknown key %q", errdefs.ErrInvalidArgument, s, k)
			}
		default:
			return nil, fmt.Errorf("%w: --detach-keys %q: unknown key %q (want a character or ctrl-X)", errdefs.ErrInvalidArgument, s, k)
		}
	}
	return seq, nil
}

// Copy copies src to dst until src's EOF (nil) or the key sequence
// (ErrDetached). Bytes that start the sequence are held back until it is
// clear they do not complete it, so a detach sends none of it.
func Copy(dst io.Writer, src io.Reader, keys []byte) error {
	buf := make([]byte, 32*1024)
	matched := 0
	for {
		n, err := src.Read(buf)
		out := make([]byte, 0, n+matched)
		for _, b := range buf[:n] {
			if len(keys) == 0 {
				out = append(out, b)
				continue
			}
			if b == keys[matched] {
				matched++
				if matched == len(keys) {
					if len(out) > 0 {
						if _, werr := dst.Write(out); werr != nil {
							return werr
						}
					}
					return ErrDetached
				}
				continue
			}
			// The held bytes were not the sequence after all.
			out = append(out, keys[:matched]...)
			matched = 0
			if b == keys[0] {
				matched = 1
				continue
			}
			out = append(out, b)
		}
		if len(out) > 0 {
			if _, werr := dst.Write(out); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			if matched > 0 {
				_, werr := dst.Write(keys[:matched])
				return werr
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}
