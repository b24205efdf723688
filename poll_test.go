package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type pollState struct {
	status     TransactionStatus
	ResultMeta // Raw: what the outcome resolution reads the order's ids from
}

// foundM1 is the data of a look-up answer naming order M1 as PayCools' T1.
var foundM1 = json.RawMessage(`{"mchOrderId":"M1","transactionId":"T1"}`)

func TestWaitFinal(t *testing.T) {
	c := newFakeAPI(t).Client
	calls := 0
	get := func(context.Context) (*pollState, error) {
		calls++
		switch calls {
		case 1:
			return &pollState{status: TransactionStatusPending}, nil
		case 2:
			return nil, &TransportError{OutcomeUnknown: true, Err: errors.New("reset")} // transient: keep polling
		case 3:
			return &pollState{status: TransactionStatusPending}, nil
		}
		return &pollState{status: TransactionStatusCompleted}, nil
	}
	res, err := waitFinal(context.Background(), c, get, func(s *pollState) bool { return s.status.Final() })
	require.NoError(t, err)
	assert.Equal(t, TransactionStatusCompleted, res.status)
	assert.Equal(t, 4, calls)

	// A non-transient error stops the wait with the last result seen.
	calls = 0
	res, err = waitFinal(context.Background(), c, func(context.Context) (*pollState, error) {
		calls++
		if calls == 1 {
			return &pollState{status: TransactionStatusPending}, nil
		}
		return nil, &APIError{Code: 21003}
	}, func(s *pollState) bool { return s.status.Final() })
	assert.ErrorIs(t, err, ErrAppID)
	assert.Equal(t, TransactionStatusPending, res.status)

	// ctx ends: the last result comes back with the context error.
	// (Ended on the third look, counted rather than timed, so that a loaded machine agrees.)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	looks := 0
	res, err = waitFinal(ctx, c, func(context.Context) (*pollState, error) {
		if looks++; looks == 3 {
			cancel()
		}
		return &pollState{status: TransactionStatusPending}, nil
	}, func(s *pollState) bool { return s.status.Final() })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 3, looks, "no look after the context ended")
	require.NotNil(t, res)
	assert.Equal(t, TransactionStatusPending, res.status)
}

func TestCreateOrReconcile(t *testing.T) {
	unknown := &HTTPError{StatusCode: 502, OutcomeUnknown: true}
	notFound := &APIError{Code: 21006, Message: "Merchant transaction not found"}
	type script struct {
		creates []error
		lookups []error
	}
	run := func(c *Client, s script) (*pollState, int, int, error) {
		nc, nl := 0, 0
		res, err := createOrReconcile(context.Background(), c, OpPayoutCreate, moneyOrder{mchOrderID: "M1"},
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
	var re *ReconcileError
	require.ErrorAs(t, err, &re, "anything else: the original error, still unknown, saying what the reconcile did")
	assert.Same(t, unknown, re.Err)
	assert.ErrorIs(t, err, unknown)
	assert.Contains(t, err.Error(), "looked it up by merchant order id, which failed: paycools: : not sent: down")
	assert.True(t, IsOutcomeUnknown(err))
	assert.Equal(t, [2]int{1, 1}, [2]int{nc, nl})

	_, nc, nl, err = run(c, script{creates: []error{&APIError{Code: 21014}}})
	assert.ErrorIs(t, err, ErrInsufficientBalance, "a definite answer is never reconciled")
	assert.Equal(t, [2]int{1, 0}, [2]int{nc, nl})

	off := newFakeAPI(t, WithReconcile(false)).Client
	_, nc, nl, err = run(off, script{creates: []error{unknown}})
	assert.True(t, IsOutcomeUnknown(err))
	assert.Equal(t, [2]int{1, 0}, [2]int{nc, nl}, "reconcile off: no query")
}
