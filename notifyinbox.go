package paycools

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// The event inbox: a NotificationStore that also implements EventRecorder keeps what each
// verified callback was and how its function fared, and one that implements ReplayClaimer
// lets the merchant run the function of a handled event again (paycools events replay).

// ReplayHeader is the HTTP header with which `paycools events replay` posts a stored event
// back to the merchant's NotificationHandler. Its value is the one-time replay token the store
// gave for that event (ReplayClaimer): with it, and only with it, a handled event runs the
// function once more. A redelivery without it, with another event's token, or with a token
// already used is handled as any redelivery (acknowledged, the function not run); the body
// must still verify, so a forged body is refused as always.
const ReplayHeader = "Paycools-Replay"

// ReceivedEvent is a verified callback whose delivery took the claim and is about to run the
// function, as NotificationHandler gives it to EventRecorder.Received.
type ReceivedEvent struct {
	// AppID is the merchant application the event belongs to (the client's Client.AppID):
	// with Key, the event's identity in the store.
	AppID string
	// Key is the event's NotificationKey, the store's key.
	Key string
	// EventName is the event, e.g. "disbursement.success".
	EventName string
	// Form is the callback form the body came in.
	Form NotificationForm
	// Body is the exact body PayCools posted, signature included, so that it can be verified
	// and posted again. It holds account numbers: keep it only where they may be kept.
	Body []byte
	// ReceivedAt is when the delivery arrived (the client's clock, WithClock).
	ReceivedAt time.Time
	// Replay reports a delivery that took the claim with a replay token (ReplayHeader).
	Replay bool
}

// EventRecorder is implemented by a NotificationStore that keeps an event inbox (paycoolssql
// with WithInbox): NotificationHandler then records each verified callback that it runs the
// function for, and the function's outcome. The inbox is a record for people (what arrived,
// what failed and why); it is not what handles each event once (Claim and Finish are): a
// recorder error is logged and changes neither the reply nor whether the function runs.
type EventRecorder interface {
	// Received records the event as received and running, counting one more attempt.
	Received(ctx context.Context, e ReceivedEvent) error
	// Handled records that the function succeeded for appID's key.
	Handled(ctx context.Context, appID, key string) error
	// Failed records that the function failed (or panicked) for appID's key, with its error
	// text (redacted by the handler: digit runs masked, secrets removed, at most 300
	// characters).
	Failed(ctx context.Context, appID, key, lastError string) error
}

// ReplayClaimer is implemented by a NotificationStore that can run a handled event's function
// again when the merchant asks for it (paycoolssql with WithInbox, `paycools events replay`).
type ReplayClaimer interface {
	// ClaimReplay claims appID's key as Claim does, except that an event handled before is
	// claimed again (NotificationStateNew) when token is the replay token requested for it,
	// which is then used up. Any other token claims as Claim.
	ClaimReplay(ctx context.Context, appID, key, token string) (NotificationClaim, error)
}

// claimFirst is the first Claim of a delivery: with a replay token and a store that takes
// one, ClaimReplay; else Claim.
func (c *Client) claimFirst(ctx context.Context, key, replayToken string) (NotificationClaim, error) {
	if rc, ok := c.notifyStore.(ReplayClaimer); ok && replayToken != "" {
		return rc.ClaimReplay(ctx, c.appID, key, replayToken)
	}
	return c.notifyStore.Claim(ctx, c.appID, key)
}

// recordEvent calls one EventRecorder method, when the store is one, with a bounded context
// that outlives the request's, and logs a failure.
func (c *Client) recordEvent(r *http.Request, event string, call func(ctx context.Context, rec EventRecorder) error) {
	rec, ok := c.notifyStore.(EventRecorder)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storeCallTimeout)
	defer cancel()
	if err := call(ctx, rec); err != nil {
		c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools event inbox: recording the event failed (the event is handled as usual)",
			slog.String("event", event), slog.String("error", redactText(err.Error(), 300)))
	}
}

// recordOutcome records the function's outcome for the held claim's event: handled, or
// failed with the (redacted) error or panic.
func (c *Client) recordOutcome(r *http.Request, h *heldClaim, panicked *callbackPanic, err error) {
	switch {
	case panicked != nil:
		c.recordEvent(r, h.event, func(ctx context.Context, rec EventRecorder) error {
			return rec.Failed(ctx, c.appID, h.key, redactText(fmt.Sprintf("panic: %v", panicked.value), 300))
		})
	case err != nil:
		c.recordEvent(r, h.event, func(ctx context.Context, rec EventRecorder) error {
			return rec.Failed(ctx, c.appID, h.key, redactText(err.Error(), 300))
		})
	default:
		c.recordEvent(r, h.event, func(ctx context.Context, rec EventRecorder) error { return rec.Handled(ctx, c.appID, h.key) })
	}
}
