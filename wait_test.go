package paycools

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type pollState struct {
	status     TransactionStatus
	ResultMeta // Raw: what the outcome resolution reads the order's ids from
}

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
