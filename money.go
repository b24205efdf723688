package paycools

import "fmt"

// maxPesos is the largest whole-peso value whose centavos (with up to 99 more) fit an Amount.
const maxPesos = (1<<63 - 1 - 99) / 100

// PHP returns pesos Philippine pesos as an Amount, which is in minor units (centavos):
// PHP(500) is Amount(50000), PHP 500.00. It is the plain constructor beside ParseAmount, for
// amounts the program holds as whole pesos; use Pesos for pesos and centavos (PHP 500.10) and
// ParseAmount for a decimal text. A negative value, or one too large for an Amount (over about
// 92 quadrillion pesos), is an error: nothing is wrapped around or rounded.
func PHP(pesos int64) (Amount, error) {
	return pesosAmount("PHP", pesos, 0)
}

// Pesos returns pesos and centavos (0–99) Philippine pesos as an Amount in minor units:
// Pesos(500, 10) is Amount(50010), PHP 500.10. A negative value, centavos outside 0–99, or a
// value too large for an Amount is an error.
func Pesos(pesos, centavos int64) (Amount, error) {
	return pesosAmount("Pesos", pesos, centavos)
}

// pesosAmount is PHP and Pesos: pesos*100 + centavos, checked.
func pesosAmount(fn string, pesos, centavos int64) (Amount, error) {
	switch {
	case pesos < 0:
		return 0, fmt.Errorf("paycools: %s: %d pesos is negative: request amounts are positive (ParseAmount reads a signed decimal text)", fn, pesos)
	case centavos < 0 || centavos > 99:
		return 0, fmt.Errorf("paycools: %s: %d centavos is outside 0–99: carry whole pesos into the pesos argument", fn, centavos)
	case pesos > maxPesos:
		return 0, fmt.Errorf("paycools: %s: %d pesos does not fit an Amount in centavos (at most %d pesos)", fn, pesos, int64(maxPesos))
	}
	return Amount(pesos*100 + centavos), nil
}
