package paycoolstest

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
)

// A small QR code encoder for the QR page (ISO/IEC 18004): byte mode, error correction level
// M, versions 1–10 (up to 213 bytes), which holds any qrCodeContent the gateway makes. It
// exists so that a QR page shows a code a phone can scan without paycoolstest (or the SDK)
// depending on a QR module.

// qrBlocks is the block structure of one version at level M: error-correction codewords per
// block, and the data codewords of each block.
type qrBlocks struct {
	ec   int
	data []int
}

var qrVersionsM = [...]qrBlocks{
	1: {10, []int{16}}, 2: {16, []int{28}}, 3: {26, []int{44}}, 4: {18, []int{32, 32}},
	5: {24, []int{43, 43}}, 6: {16, []int{27, 27, 27, 27}}, 7: {18, []int{31, 31, 31, 31}},
	8: {22, []int{38, 38, 39, 39}}, 9: {22, []int{36, 36, 36, 37, 37}}, 10: {26, []int{43, 43, 43, 43, 44}},
}

// qrAlignment is the row/column centres of the alignment patterns of each version.
var qrAlignment = [...][]int{1: nil, 2: {6, 18}, 3: {6, 22}, 4: {6, 26}, 5: {6, 30}, 6: {6, 34},
	7: {6, 22, 38}, 8: {6, 24, 42}, 9: {6, 26, 46}, 10: {6, 28, 50}}

// qrCode is a QR symbol: size×size modules, dark true.
type qrSymbol struct {
	size     int
	dark     []bool
	function []bool // finder, timing, alignment, format and version modules
}

func (q *qrSymbol) set(x, y int, dark bool) { q.dark[y*q.size+x] = dark; q.function[y*q.size+x] = true }
func (q *qrSymbol) at(x, y int) bool        { return q.dark[y*q.size+x] }

// gfMul multiplies in GF(2^8) modulo x^8+x^4+x^3+x^2+1.
func gfMul(x, y byte) byte {
	var z byte
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x1D
		z ^= (y >> uint(i) & 1) * x
	}
	return z
}

// rsRemainder is the Reed–Solomon error-correction codewords of data.
func rsRemainder(data []byte, degree int) []byte {
	div := make([]byte, degree)
	div[degree-1] = 1
	root := byte(1)
	for range degree {
		for j := range div {
			div[j] = gfMul(div[j], root)
			if j+1 < degree {
				div[j] ^= div[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	rem := make([]byte, degree)
	for _, b := range data {
		factor := b ^ rem[0]
		copy(rem, rem[1:])
		rem[degree-1] = 0
		for i := range rem {
			rem[i] ^= gfMul(div[i], factor)
		}
	}
	return rem
}

// qrEncode encodes text in the smallest version that holds it; nil when none does.
func qrEncode(text []byte) *qrSymbol {
	for v := 1; v < len(qrVersionsM); v++ {
		if cw := qrCodewords(text, v); cw != nil {
			return qrPlace(cw, v)
		}
	}
	return nil
}

// qrCodewords is text as the interleaved data and error-correction codewords of version v;
// nil when it does not fit.
func qrCodewords(text []byte, v int) []byte {
	blk := qrVersionsM[v]
	capacity := 0
	for _, n := range blk.data {
		capacity += n
	}
	countBits := 8
	if v >= 10 {
		countBits = 16
	}
	var bits []bool
	put := func(val, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, val>>uint(i)&1 == 1)
		}
	}
	put(0b0100, 4) // byte mode
	put(len(text), countBits)
	for _, b := range text {
		put(int(b), 8)
	}
	if len(bits) > capacity*8 {
		return nil
	}
	put(0, min(4, capacity*8-len(bits))) // terminator
	put(0, (8-len(bits)%8)%8)
	data := make([]byte, 0, capacity)
	for i := 0; i < len(bits); i += 8 {
		var b byte
		for j := range 8 {
			if bits[i+j] {
				b |= 0x80 >> uint(j)
			}
		}
		data = append(data, b)
	}
	for pad := byte(0xEC); len(data) < capacity; pad ^= 0xEC ^ 0x11 {
		data = append(data, pad)
	}
	var blocks, ecs [][]byte
	for _, n := range blk.data {
		blocks = append(blocks, data[:n])
		ecs = append(ecs, rsRemainder(data[:n], blk.ec))
		data = data[n:]
	}
	var out []byte
	for i := range blk.data[len(blk.data)-1] {
		for _, b := range blocks {
			if i < len(b) {
				out = append(out, b[i])
			}
		}
	}
	for i := range blk.ec {
		for _, e := range ecs {
			out = append(out, e[i])
		}
	}
	return out
}

// qrPlace draws the function patterns and the codewords of version v, with the mask that
// scores best.
func qrPlace(cw []byte, v int) *qrSymbol {
	size := 17 + 4*v
	q := &qrSymbol{size: size, dark: make([]bool, size*size), function: make([]bool, size*size)}
	for i := range size {
		q.set(6, i, i%2 == 0)
		q.set(i, 6, i%2 == 0)
	}
	for _, c := range [][2]int{{3, 3}, {size - 4, 3}, {3, size - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := c[0]+dx, c[1]+dy
				if x >= 0 && x < size && y >= 0 && y < size {
					d := max(abs(dx), abs(dy))
					q.set(x, y, d != 2 && d != 4)
				}
			}
		}
	}
	al := qrAlignment[v]
	for i, x := range al {
		for j, y := range al {
			if (i == 0 && j == 0) || (i == 0 && j == len(al)-1) || (i == len(al)-1 && j == 0) {
				continue
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					q.set(x+dx, y+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	q.format(0) // reserves the format modules
	if v >= 7 {
		rem := v
		for range 12 {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits := v<<12 | rem
		for i := range 18 {
			dark := bits>>uint(i)&1 == 1
			a, b := size-11+i%3, i/3
			q.set(a, b, dark)
			q.set(b, a, dark)
		}
	}
	// The codewords, in two-column strips from the right, upwards then downwards.
	i := 0
	for right := size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for vert := range size {
			for j := range 2 {
				x := right - j
				y := vert
				if (right+1)&2 == 0 {
					y = size - 1 - vert
				}
				if !q.function[y*size+x] && i < len(cw)*8 {
					q.dark[y*size+x] = cw[i>>3]>>uint(7-i&7)&1 == 1
					i++
				}
			}
		}
	}
	best, bestScore := -1, 0
	for mask := range 8 {
		q.mask(mask)
		q.format(mask)
		if s := q.penalty(); best < 0 || s < bestScore {
			best, bestScore = mask, s
		}
		q.mask(mask) // undo
	}
	q.mask(best)
	q.format(best)
	return q
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// format draws the format information: level M and mask.
func (q *qrSymbol) format(mask int) {
	data := 0b00<<3 | mask // level M
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>uint(i)&1 == 1 }
	for i := range 6 {
		q.set(8, i, bit(i))
	}
	q.set(8, 7, bit(6))
	q.set(8, 8, bit(7))
	q.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		q.set(14-i, 8, bit(i))
	}
	for i := range 8 {
		q.set(q.size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		q.set(8, q.size-15+i, bit(i))
	}
	q.set(8, q.size-8, true) // the dark module
}

// mask flips the data modules of mask pattern m (applying it twice undoes it).
func (q *qrSymbol) mask(m int) {
	for y := range q.size {
		for x := range q.size {
			var flip bool
			switch m {
			case 0:
				flip = (x+y)%2 == 0
			case 1:
				flip = y%2 == 0
			case 2:
				flip = x%3 == 0
			case 3:
				flip = (x+y)%3 == 0
			case 4:
				flip = (x/3+y/2)%2 == 0
			case 5:
				flip = x*y%2+x*y%3 == 0
			case 6:
				flip = (x*y%2+x*y%3)%2 == 0
			default:
				flip = ((x+y)%2+x*y%3)%2 == 0
			}
			if flip && !q.function[y*q.size+x] {
				q.dark[y*q.size+x] = !q.dark[y*q.size+x]
			}
		}
	}
}

// penalty scores a masked symbol by the rules of ISO/IEC 18004 §7.8.3 (lower is better).
func (q *qrSymbol) penalty() int {
	n, score, darkCount := q.size, 0, 0
	line := func(get func(i int) bool) {
		run := 1
		for i := 1; i <= n; i++ {
			if i < n && get(i) == get(i-1) {
				run++
				continue
			}
			if run >= 5 {
				score += 3 + run - 5
			}
			run = 1
		}
		finder := []bool{true, false, true, true, true, false, true}
		for i := 0; i+7 <= n; i++ {
			match := true
			for k, f := range finder {
				match = match && get(i+k) == f
			}
			if !match {
				continue
			}
			light := func(from, to int) bool {
				for k := from; k < to; k++ {
					if k >= 0 && k < n && get(k) {
						return false
					}
				}
				return true
			}
			if light(i-4, i) || light(i+7, i+11) {
				score += 40
			}
		}
	}
	for y := range n {
		line(func(i int) bool { return q.at(i, y) })
	}
	for x := range n {
		line(func(i int) bool { return q.at(x, i) })
	}
	for y := range n {
		for x := range n {
			c := q.at(x, y)
			if c {
				darkCount++
			}
			if x+1 < n && y+1 < n && c == q.at(x+1, y) && c == q.at(x, y+1) && c == q.at(x+1, y+1) {
				score += 3
			}
		}
	}
	total := n * n
	k := (abs(darkCount*20-total*10)+total-1)/total - 1
	return score + max(k, 0)*10
}

// qrDataURL is a data: URL of a PNG image of a QR code of text (4 px per module, with the
// 4-module quiet zone); "" when text does not fit version 10.
func qrDataURL(text string) string {
	q := qrEncode([]byte(text))
	if q == nil {
		return ""
	}
	const scale, quiet = 4, 4
	side := (q.size + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range q.size {
		for x := range q.size {
			if !q.at(x, y) {
				continue
			}
			for dy := range scale {
				for dx := range scale {
					img.SetColorIndex((x+quiet)*scale+dx, (y+quiet)*scale+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if png.Encode(&buf, img) != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}
