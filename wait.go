package paycools

// Waiting for a final state: the Wait methods poll through waitFinal.

import (
	"context"
	"errors"
	"time"
)

// waitFinal polls get until final says the result is final, or ctx ends. The wait between
// polls starts at the client's poll minimum and grows by half up to its maximum. Transient
// failures (transport, HTTP, retryable codes) do not stop the wait; any other error does. When
// ctx ends it returns the last result it saw with the context error (joined with the last poll's
// error, if that poll failed).
func waitFinal[T any](ctx context.Context, c *Client, get func(context.Context) (*T, error), final func(*T) bool) (*T, error) {
	var last *T
	delay := c.pollMin
	start := time.Now()
	for poll := 1; ; poll++ {
		res, err := get(ctx)
		if c.waitObserver != nil {
			var seen any
			if last != nil || err == nil {
				seen = res
			}
			c.waitObserver(ctx, WaitProgress{Poll: poll, Elapsed: time.Since(start), Last: seen, Err: err,
				Final: err == nil && final(res)})
		}
		if err == nil {
			last = res
			if final(res) {
				return res, nil
			}
		} else if !transient(err) {
			return last, err
		}
		if ctx.Err() != nil {
			return last, joinCtx(ctx.Err(), err)
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return last, joinCtx(serr, err)
		}
		delay += delay / 2
		if delay > c.pollMax {
			delay = c.pollMax
		}
	}
}

func joinCtx(ctxErr, last error) error {
	if last == nil || errors.Is(last, ctxErr) {
		return ctxErr
	}
	return errors.Join(ctxErr, last)
}

// transient reports whether a failed poll may succeed later.
func transient(err error) bool {
	var te *TransportError
	var he *HTTPError
	var ae *APIError
	switch {
	case errors.As(err, &te):
		return true
	case errors.As(err, &he):
		return he.StatusCode == 429 || he.StatusCode >= 500
	case errors.As(err, &ae):
		return ae.Retryable()
	}
	return false
}

// WaitProgress is one poll of a Wait, as the WithWaitObserver function sees it.
type WaitProgress struct {
	// Poll counts from 1.
	Poll int
	// Elapsed is the time since the Wait started.
	Elapsed time.Duration
	// Last is what this poll returned (a *Payout, *Refund, ...), nil when it failed.
	Last any
	// Err is the poll's error; transient errors do not end the wait.
	Err error
	// Final reports whether this poll ends the wait with a final state.
	Final bool
}

// WithWaitObserver calls fn after every poll of every Wait method, on the waiting goroutine:
// to show progress, or to log a wait that is taking long. fn must be quick; it must not call
// the client.
func WithWaitObserver(fn func(ctx context.Context, p WaitProgress)) Option {
	return func(c *Client) error {
		c.waitObserver = fn
		return nil
	}
}
