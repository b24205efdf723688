package paycools_test

import (
	"fmt"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Amounts are integer minor units (centavos): PHP and Pesos build them from pesos, ParseAmount
// from a decimal text, all three exactly.
func ExamplePHP() {
	a, err := paycools.PHP(500)
	if err != nil {
		panic(err)
	}
	b, _ := paycools.Pesos(500, 10)
	c, _ := paycools.ParseAmount("500.10")
	fmt.Println(int64(a), a)
	fmt.Println(int64(b), b, b == c)
	_, err = paycools.Pesos(500, 100)
	fmt.Println(err)
	// Output:
	// 50000 500.00
	// 50010 500.10 true
	// paycools: Pesos: 100 centavos is outside 0–99: carry whole pesos into the pesos argument
}
