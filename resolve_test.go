package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// foundM1 is the data of a look-up answer naming order M1 as PayCools' T1.
var foundM1 = json.RawMessage(`{"mchOrderId":"M1","transactionId":"T1"}`)

func TestCreateAndResolve(t *testing.T) {
	unknown := &HTTPError{StatusCode: 502, OutcomeUnknown: true}
	notFound := &APIError{Code: 21006, Message: "Merchant transaction not found"}
	type script struct {
		creates []error
		lookups []error
	}
	run := func(c *Client, s script) (*pollState, int, int, error) {
		nc, nl := 0, 0
		res, err := createAndResolve(context.Background(), c, OpPayoutCreate, moneyOrder{mchOrderID: "M1"},
			func(context.Context) (*pollState, error) {
				e := s.creates[nc]
				nc++
				if e != nil {
					return nil, e
				}
				return &pollState{TransactionStatusPending, ResultMeta{Raw: foundM1}}, nil
			},
			func(context.Context, moneyOrder) (*pollState, error) {
				e := s.lookups[nl]
				nl++
				if e != nil {
					return nil, e
				}
				return &pollState{TransactionStatusCompleted, ResultMeta{Raw: foundM1}}, nil
			})
		return res, nc, nl, err
	}
	c := newFakeAPI(t).Client

	res, nc, nl, err := run(c, script{creates: []error{unknown}, lookups: []error{nil}})
	require.NoError(t, err, "found: the create happened")
	assert.Equal(t, TransactionStatusCompleted, res.status)
	assert.Equal(t, [2]int{1, 1}, [2]int{nc, nl})

	res, nc, nl, err = run(c, script{creates: []error{unknown, nil}, lookups: []error{notFound}})
	require.NoError(t, err, "not found: sent once more")
	assert.Equal(t, TransactionStatusPending, res.status)
	assert.Equal(t, [2]int{2, 1}, [2]int{nc, nl})

	res, nc, nl, err = run(c, script{creates: []error{unknown, &APIError{Code: 21007}}, lookups: []error{notFound, nil}})
	require.NoError(t, err, "the resend says duplicate: the first arrived after all")
	assert.Equal(t, TransactionStatusCompleted, res.status)
	assert.Equal(t, [2]int{2, 2}, [2]int{nc, nl})

	_, nc, nl, err = run(c, script{creates: []error{unknown}, lookups: []error{&TransportError{Err: errors.New("down")}}})
	var re *UnresolvedOutcomeError
	require.ErrorAs(t, err, &re, "anything else: the original error, still unknown, saying what the resolution did")
	assert.Same(t, unknown, re.Err)
	assert.ErrorIs(t, err, unknown)
	assert.Contains(t, err.Error(), "looked it up by merchant order id, which failed: paycools: : not sent: down")
	assert.True(t, IsOutcomeUnknown(err))
	assert.Equal(t, [2]int{1, 1}, [2]int{nc, nl})

	_, nc, nl, err = run(c, script{creates: []error{&APIError{Code: 21014}}})
	assert.ErrorIs(t, err, ErrInsufficientBalance, "a definite answer is never resolved")
	assert.Equal(t, [2]int{1, 0}, [2]int{nc, nl})

	off := newFakeAPI(t, WithResolveOutcome(false)).Client
	_, nc, nl, err = run(off, script{creates: []error{unknown}})
	assert.True(t, IsOutcomeUnknown(err))
	assert.Equal(t, [2]int{1, 0}, [2]int{nc, nl}, "outcome resolution off: no query")
}
