package paycools

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// The claim path shared by NotificationHandler and RepaymentVerificationHandler: claim the
// event, renew the claim while the function runs (ending the function's context when the
// claim is lost), then record the outcome, retrying when the store fails, or give the claim
// back.

const (
	// finishAttempts bounds the tries to record a handled event (about a minute of backoff).
	finishAttempts = 10
	// finishBackoff is the wait after the first failed try; it doubles up to finishBackoffMax.
	finishBackoff    = 50 * time.Millisecond
	finishBackoffMax = 30 * time.Second
	// finishWait is how long the HTTP answer waits for the outcome to be recorded; the tries go
	// on in the background after it.
	finishWait = 3 * time.Second
	// storeCallTimeout bounds one Finish or Renew call.
	storeCallTimeout = 10 * time.Second
)

// heldClaim is one delivery's claim on an event, from Claim to Finish or Release.
type heldClaim struct {
	c                 *Client
	key, token, event string
	lease             time.Duration
	// ctx is the function's context: it ends with the request's, or with cause ErrClaimLost
	// when the heartbeat finds the claim lost.
	ctx      context.Context
	cancel   context.CancelCauseFunc
	stop     chan struct{}
	stopOnce sync.Once
	beating  sync.WaitGroup
}

// claimOrReply claims the client's key in the notification store for one delivery of event. When the
// delivery may go on it returns the held claim, whose heartbeat is running, and true;
// otherwise it has answered: 500 on a store error or a claim in flight (PayCools delivers
// again, and comes back if the first delivery fails), doneReply(result) (200) when the event
// was handled before. A claim in flight is asked again for up to waitInFlight, so that a
// question repeated while it is being decided gets the decision rather than 500. A non-empty
// replayToken (ReplayHeader) is given to the store's ClaimReplay on the first try.
func (c *Client) claimOrReply(w http.ResponseWriter, r *http.Request, key, event, replayToken string, waitInFlight time.Duration, doneReply func(result string) []byte) (*heldClaim, bool) {
	cl, err := c.claimFirst(r.Context(), key, replayToken)
	for wait, deadline := finishBackoff, time.Now().Add(waitInFlight); err == nil && cl.State == NotificationStateInFlight && time.Now().Before(deadline); wait = min(2*wait, 500*time.Millisecond) {
		t := time.NewTimer(wait)
		select {
		case <-r.Context().Done():
			t.Stop()
			err = r.Context().Err()
		case <-t.C:
			cl, err = c.notifyStore.Claim(r.Context(), c.appID, key)
		}
	}
	switch {
	case err != nil:
		c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools notification store failed; answered 500, PayCools will deliver again",
			slog.String("event", event), slog.String("error", redactText(err.Error(), 300)))
		writeReply(w, http.StatusInternalServerError, replyServerError)
		return nil, false
	case cl.State == NotificationStateDone:
		writeReply(w, http.StatusOK, doneReply(cl.Result))
		return nil, false
	case cl.State != NotificationStateNew:
		// In flight: another delivery is running the function, or recording its outcome.
		writeReply(w, http.StatusInternalServerError, replyServerError)
		return nil, false
	}
	return c.holdClaim(r.Context(), key, event, cl), true
}

// holdClaim starts holding the claim cl (NotificationStateNew) on key for one delivery of event
// running under ctx: its heartbeat renews it until finish or release.
func (c *Client) holdClaim(ctx context.Context, key, event string, cl NotificationClaim) *heldClaim {
	h := &heldClaim{c: c, key: key, token: cl.Token, event: event, lease: cl.Lease, stop: make(chan struct{})}
	if h.lease <= 0 {
		h.lease = DefaultNotificationLease
	}
	h.ctx, h.cancel = context.WithCancelCause(ctx)
	h.beating.Add(1)
	go h.heartbeat(context.WithoutCancel(ctx))
	return h
}

// heartbeat renews the claim every third of its lease until stopped. When the store says the
// claim is lost, or two renewals in a row fail (the lease may end before the next), it ends
// the function's context with cause ErrClaimLost.
func (h *heldClaim) heartbeat(ctx context.Context) {
	defer h.beating.Done()
	every := h.lease / 3
	tick, stopTick := h.c.newTicker(every)
	defer stopTick()
	failures := 0
	for {
		select {
		case <-h.stop:
			return
		case <-tick:
		}
		rctx, cancel := context.WithTimeout(ctx, min(every, storeCallTimeout))
		err := h.c.notifyStore.Renew(rctx, h.c.appID, h.key, h.token)
		cancel()
		select {
		case <-h.stop: // the function returned meanwhile: its outcome decides
			return
		default:
		}
		switch {
		case err == nil:
			failures = 0
			continue
		case errors.Is(err, ErrClaimLost):
		default:
			if failures++; failures < 2 {
				h.c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools notification store: renewing the claim failed; trying again",
					slog.String("event", h.event), slog.String("error", redactText(err.Error(), 300)))
				continue
			}
		}
		h.c.logger.LogAttrs(ctx, slog.LevelError, "paycools: the claim on the event was lost while the function ran; its context is cancelled (another delivery may run it)",
			slog.String("event", h.event), slog.String("error", redactText(err.Error(), 300)))
		h.cancel(ErrClaimLost)
		return
	}
}

// stopHeartbeat stops the heartbeat and waits for it, so that no renewal races the Finish or
// Release that follows.
func (h *heldClaim) stopHeartbeat() {
	h.stopOnce.Do(func() { close(h.stop) })
	h.beating.Wait()
	h.cancel(context.Canceled)
}

// release gives the claim back after the function failed, so that the next delivery runs it
// again; a failure is logged (the claim then ends with its lease).
func (h *heldClaim) release(ctx context.Context) {
	h.stopHeartbeat()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeCallTimeout)
	defer cancel()
	if err := h.c.notifyStore.Release(sctx, h.c.appID, h.key, h.token); err != nil {
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools notification store: release failed; the claim ends with its lease",
			slog.String("event", h.event), slog.String("error", redactText(err.Error(), 300)))
	}
}

// finish records the event as handled, with result, after the function succeeded. The event is
// handled whatever the store says, so the caller answers success: finish waits up to
// finishWait (or the end of ctx) for the record, and a store that keeps failing is retried in the background with
// backoff (renewing the claim between tries, so that no redelivery runs the function again
// meanwhile) for about a minute, each failure logged. A lost claim is logged and not retried.
func (h *heldClaim) finish(ctx context.Context, result string) {
	h.stopHeartbeat()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.record(context.WithoutCancel(ctx), result)
	}()
	t := time.NewTimer(finishWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done(): // PayCools is gone: no one waits for the answer
	}
}

// record tries Finish until it succeeds, the claim is lost, or finishAttempts tries failed.
func (h *heldClaim) record(ctx context.Context, result string) {
	wait := finishBackoff
	for attempt := 1; ; attempt++ {
		fctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
		err := h.c.notifyStore.Finish(fctx, h.c.appID, h.key, h.token, result)
		cancel()
		switch {
		case err == nil:
			if attempt > 1 {
				h.c.logger.LogAttrs(ctx, slog.LevelInfo, "paycools notification store: handled event recorded after retries",
					slog.String("event", h.event), slog.Int("attempt", attempt))
			}
			return
		case errors.Is(err, ErrClaimLost):
			h.c.logger.LogAttrs(ctx, slog.LevelError, "paycools: the function succeeded after its claim on the event was lost (stale token): another delivery may have run it too",
				slog.String("event", h.event), slog.String("error", redactText(err.Error(), 300)))
			return
		case attempt >= finishAttempts:
			h.c.logger.LogAttrs(ctx, slog.LevelError, "paycools notification store: the handled event could not be recorded; a delivery after the claim's lease may run the function again",
				slog.String("event", h.event), slog.Int("attempt", attempt), slog.String("error", redactText(err.Error(), 300)))
			return
		}
		h.c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools notification store: recording the handled event failed; trying again (the delivery is acknowledged)",
			slog.String("event", h.event), slog.Int("attempt", attempt), slog.String("error", redactText(err.Error(), 300)))
		time.Sleep(wait)
		wait = min(2*wait, finishBackoffMax)
		// Keep the claim while trying, so that a redelivery finds it in flight rather than
		// free. Its failure tells nothing new: the Finish that follows decides.
		rctx, cancel := context.WithTimeout(ctx, storeCallTimeout)
		_ = h.c.notifyStore.Renew(rctx, h.c.appID, h.key, h.token)
		cancel()
	}
}

// newTicker returns the heartbeat's ticks every d and the function that stops them.
func (c *Client) newTicker(d time.Duration) (<-chan time.Time, func()) {
	if c.heartbeatTicker != nil {
		return c.heartbeatTicker(d)
	}
	t := time.NewTicker(d)
	return t.C, t.Stop
}
