package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultSyncAfter is how old a created order must be before Client.Sync asks PayCools about
// it, unless WithSyncAfter says otherwise: younger orders' callbacks are probably on their way.
const DefaultSyncAfter = 5 * time.Minute

// DirectDebitPatience is how long after its creation Client.Sync keeps asking, with backoff,
// about a direct-debit charge that PayCools still reports as PENDING or PROCESSING before it
// reports the charge as open. Behind direct debit, Alipay+ asks merchants to query a charge
// for more than one minute, since its notification may never come.
const DirectDebitPatience = 90 * time.Second

// DefaultSyncWindow is how far back Client.Sync looks unless WithSyncWindow says otherwise:
// the default notification store's memory of handled events (24 hours).
const DefaultSyncWindow = defaultReplayWindow

// syncBatch is how many orders Sync claims at a time.
const syncBatch = 100

// WithSyncAfter makes Client.Sync leave alone the orders created less than d ago (default
// DefaultSyncAfter, 5 minutes; 0 means at once). Negative is refused.
func WithSyncAfter(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("WithSyncAfter(%v): must not be negative", d)
		}
		c.syncAfter = d
		return nil
	}
}

// WithSyncWindow makes Client.Sync leave alone the orders created more than d ago (default
// DefaultSyncWindow, 24 hours). Keep d no longer than the notification store's retention
// (paycoolssql.WithRetention; 24 hours for the default store): the store forgets handled
// events after it, so Sync could run the function again for an order whose callback was
// handled before the store forgot it (as for every order of a ledger written before this
// version, whose final state is not recorded). Older unsettled orders show in the daily
// reconciliation (Books). 0 means no limit; negative is refused.
func WithSyncWindow(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("WithSyncWindow(%v): must not be negative", d)
		}
		c.syncWindow = d
		return nil
	}
}

// WithSyncWait sets how Client.Sync waits between two queries of a direct-debit charge that
// is not final yet (default: a timer; the wait ends early, with ctx's error, when ctx ends).
// Tests give a function that advances their fake clock instead of sleeping. nil restores the
// default.
func WithSyncWait(wait func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		c.syncWait = wait
		return nil
	}
}

// SyncOutcome is what Client.Sync did with one order.
type SyncOutcome string

// Sync outcomes.
const (
	// SyncOutcomeDelivered: PayCools reports the order final; Sync ran the function with the
	// synthetic notification, it succeeded, and the ledger records the final state.
	SyncOutcomeDelivered SyncOutcome = "delivered"
	// SyncOutcomeHandledBefore: PayCools reports the order final and the notification store says the
	// event was handled before (its callback came first): the function did not run again, and
	// the ledger records the final state.
	SyncOutcomeHandledBefore SyncOutcome = "handled-before"
	// SyncOutcomeOpen: PayCools does not report the order final yet (Status says what it reports).
	// The next Sync asks again; alert on the order's Age.
	SyncOutcomeOpen SyncOutcome = "open"
	// SyncOutcomeInFlight: the order is final, and a delivery of its callback is running the function
	// right now; that delivery records it.
	SyncOutcomeInFlight SyncOutcome = "in-flight"
	// SyncOutcomeFailed: the look-up, the function, the notification store or the ledger failed
	// (Err). The next Sync tries again. Errors wrapping ErrNoOrderLookup mean that the order
	// cannot be asked about in the client's dialect: only its callback settles it.
	SyncOutcomeFailed SyncOutcome = "failed"
)

// SyncOrder is one order Client.Sync handled.
type SyncOrder struct {
	// Intent is the order's intent as the ledger held it when Sync claimed it.
	Intent Intent
	// Outcome is what Sync did.
	Outcome SyncOutcome
	// Status is the order's status as PayCools last reported it ("" when not asked or the
	// look-up failed).
	Status string
	// Age is the time since the order's intent was written, by the client's clock.
	Age time.Duration
	// Err says why the order is SyncOutcomeFailed or, for SyncOutcomeOpen, what the last look-up answered.
	Err error
}

// SyncReport is what one Client.Sync did, order by order, oldest first.
type SyncReport struct {
	// Orders are the orders Sync claimed.
	Orders []SyncOrder
	// Collections are the completed collections of the sync window that the merchant did not
	// create through the SDK (virtual-account, QR and bank-transfer payments) and whose
	// callback the notification store never saw handled: listed, not delivered (the payment
	// statement does not carry what the callback's event needs).
	Collections []SyncCollection
	// CollectionsUnchecked says why Collections was not looked for ("" when it was): the
	// notification store cannot list the events it handled (HandledTransactions).
	CollectionsUnchecked string
}

// Unsettled returns the orders of the report that are not final in the ledger after this
// Sync (open, in flight or failed): the ones to alert on once their Age grows.
func (r *SyncReport) Unsettled() []SyncOrder {
	var out []SyncOrder
	for _, o := range r.Orders {
		if o.Outcome != SyncOutcomeDelivered && o.Outcome != SyncOutcomeHandledBefore {
			out = append(out, o)
		}
	}
	return out
}

// Sync makes every money-moving order the ledger holds as created but not final reach its
// final state in the merchant's code, even when its callback never came. For each such order
// created at least WithSyncAfter ago and within WithSyncWindow (payouts, refunds, web payments, checkouts and
// direct-debit charges), it asks PayCools with the family's query: by merchant order id, and
// for web payments and direct-debit charges by PayCools' transaction id, which the ledger
// holds (the only query the PH dialect has for them). When
// PayCools reports it final, Sync builds the *Notification its callback would have carried
// (the same EventName and typed Event, from what the query returned; Synced true) and runs fn
// with it through the client's notification store, under the key the real callback of that
// final state gets (NotificationKey): whichever comes first, the callback or Sync, runs fn,
// and the other is acknowledged without running it. Once fn has succeeded (or the store says
// the event was handled), the ledger records the final status and amount and Sync never asks
// about the order again.
//
// A direct-debit charge still PENDING or PROCESSING is asked about again, with backoff (the
// client's poll interval, waited with WithSyncWait), until it is DirectDebitPatience old. An
// order that stays non-final, and one whose fn failed, is in the report (SyncOutcomeOpen, SyncOutcomeFailed,
// with its Age and the error) and is taken by the next Sync. A direct-debit callback may come
// under either edition's event name (direct.debit.* or directdebit.payment.*) and a status in
// another spelling (COMPLETE): Sync claims every such key, so a callback handled under any of
// them is not run again. Intents still pending or unknown are Recover's, not Sync's: run
// Recover first. Collections the merchant did not create through the SDK (virtual-account, QR,
// bank-transfer payments) are not in the ledger: Sync walks the payment statements of the
// sync window (24 h when WithSyncWindow is 0) and lists, in SyncReport.Collections, the
// completed ones older than WithSyncAfter whose callback the notification store never saw
// handled. It cannot deliver them: the statement carries no event name, reference number or
// QR id (see the README, "Missed callbacks").
//
// Sync reads and claims the orders of the client's own application (Client.AppID) only, and
// finds handled events under its appId: tenants sharing a ledger and a store each run their
// own Sync.
//
// Sync never sends money. It is safe to run on every replica at once: each order is claimed
// by one Sync only. It stops early, with ctx's error, when ctx ends. Without a ledger it
// returns ErrNoLedger.
func (c *Client) Sync(ctx context.Context, fn func(context.Context, *Notification) error) (*SyncReport, error) {
	var fields []FieldError
	if ctx == nil {
		fields = append(fields, FieldError{Field: "ctx", Problem: "nil context"})
	}
	if fn == nil {
		fields = append(fields, FieldError{Field: "fn", Problem: "nil function: give the function that handles a final order, the one given to NotificationHandler"})
	}
	if len(fields) > 0 {
		return nil, &ValidationError{Operation: "Sync", Fields: fields}
	}
	if c.ledger == nil {
		return nil, ErrNoLedger
	}
	report := &SyncReport{}
	token := newIntentID()
	var held []string // claims to end when the run ends, so that the next Sync takes them
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeCallTimeout)
		defer cancel()
		for _, id := range held {
			if err := c.ledger.Unclaim(uctx, id, token); err != nil {
				c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools Sync: ledger: the claim on an order could not be ended; it ends with its time",
					slog.String("intent", id), slog.String("error", redactText(err.Error(), 300)))
			}
		}
	}()
	// The cursor: each batch starts at the newest intent of the one before (the intents of
	// that millisecond this run claimed keep its claim and are not taken again).
	var from time.Time
	if c.syncWindow > 0 {
		from = c.clock().Add(-c.syncWindow)
	}
	for {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		now := c.clock()
		batch, err := c.ledger.ClaimUnsettled(ctx, c.appID, token, now, claimUntil(ctx, now), from, now.Add(-c.syncAfter), syncBatch)
		if err != nil {
			return report, fmt.Errorf("paycools: Sync: ledger: %w", err)
		}
		if len(batch) == 0 {
			if err := c.syncCollections(ctx, report); err != nil {
				return report, err
			}
			return report, nil
		}
		from = batch[len(batch)-1].CreatedAt
		for i := range batch {
			out := c.syncOne(ctx, &batch[i], fn)
			report.Orders = append(report.Orders, out)
			if out.Outcome != SyncOutcomeDelivered && out.Outcome != SyncOutcomeHandledBefore {
				held = append(held, batch[i].ID)
			}
			if ctx.Err() != nil {
				return report, ctx.Err()
			}
		}
	}
}

// syncOne asks PayCools about one claimed order and, when it is final, delivers it.
func (c *Client) syncOne(ctx context.Context, in *Intent, fn func(context.Context, *Notification) error) SyncOrder {
	out := SyncOrder{Intent: *in, Outcome: SyncOutcomeFailed}
	n, status, err := c.syncAsk(ctx, in)
	// waited bounds the asking too, should the client's clock not move (a fixed test clock).
	delay, waited := c.pollMin, time.Duration(0)
	for err == nil && n == nil && in.Operation == OpDirectDebitCreatePayment && c.clock().Sub(in.CreatedAt) < DirectDebitPatience && waited < DirectDebitPatience {
		if werr := c.syncWaitFor(ctx, delay); werr != nil {
			err = werr
			break
		}
		waited += delay
		delay = min(delay+delay/2, c.pollMax)
		n, status, err = c.syncAsk(ctx, in)
	}
	out.Status, out.Age = status, c.clock().Sub(in.CreatedAt)
	switch {
	case err != nil:
		out.Err = err
		return out
	case n == nil:
		out.Outcome = SyncOutcomeOpen
		return out
	}
	handledBefore, err := c.deliverSynced(ctx, in.Operation, n, fn)
	switch {
	case errors.Is(err, errSyncInFlight):
		out.Outcome = SyncOutcomeInFlight
		return out
	case err != nil:
		out.Err = err
		c.logger.LogAttrs(ctx, slog.LevelError, "paycools Sync: the final state of an order was not handled; the next Sync tries again",
			slog.String("operation", string(in.Operation)), slog.String("intent", in.ID), slog.String("event", n.EventName),
			slog.String("error", redactText(err.Error(), 300)))
		return out
	}
	out.Outcome = SyncOutcomeDelivered
	if handledBefore {
		out.Outcome = SyncOutcomeHandledBefore
	}
	_, _, _, amount, _, _, _ := notificationFinal(n.Event)
	if werr := c.ledger.Finalize(context.WithoutCancel(ctx), in.ID, OrderFinal{Status: status, Amount: amount, At: c.clock()}); werr != nil {
		// fn ran: the next Sync finds the event handled in the store and records it then.
		out.Outcome, out.Err = SyncOutcomeFailed, fmt.Errorf("paycools: Sync: ledger: %w", werr)
	}
	return out
}

// errSyncInFlight is deliverSynced's answer when a delivery of the event holds its claim.
var errSyncInFlight = errors.New("paycools: Sync: a delivery of the event is running the function")

// syncWaitFor waits d between two queries of a direct-debit charge.
func (c *Client) syncWaitFor(ctx context.Context, d time.Duration) error {
	if c.syncWait != nil {
		return c.syncWait(ctx, d)
	}
	return c.sleep(ctx, d)
}

// syncKeys are the NotificationKeys the callback of n's final state may get: n's own, and
// those of the same event under its other name (direct debit has two editions' names) and
// with the status in another spelling of the family (COMPLETE for COMPLETED, ...). Sync
// claims them all, so that it finds the callback handled whichever spelling it came in.
func syncKeys(op Operation, n *Notification) []string {
	keys := []string{NotificationKey(n)}
	var fields map[string]json.RawMessage
	if json.Unmarshal(n.Param, &fields) != nil {
		return keys
	}
	canonical := map[string]string{}
	var status string
	_ = json.Unmarshal(fields[statusField(op)], &status)
	for spelling, c := range syncSpellings[op] {
		canonical[spelling] = c
	}
	names := []string{n.EventName}
	if alias, ok := syncEventAliases[n.EventName]; ok {
		names = append(names, alias)
	}
	statuses := []string{status}
	for spelling, c := range canonical {
		if spelling != status && c == canonical[status] && status != "" {
			statuses = append(statuses, spelling)
		}
	}
	seen := map[string]bool{keys[0]: true}
	for _, name := range names {
		for _, st := range statuses {
			fields["eventName"], fields[statusField(op)] = jsonString(name), jsonString(st)
			param, err := json.Marshal(fields)
			if err != nil {
				continue
			}
			if k := NotificationKey(&Notification{EventName: name, Param: param}); !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// deliverSynced runs fn with the synthetic notification n of an order of op through the
// notification store, as NotificationHandler runs a callback, holding the claims of every
// key the callback may get (syncKeys): it reports handledBefore when the store says one of
// them was handled, errSyncInFlight when a delivery holds one, and fn's error (or the
// store's, or a panic's) otherwise. On success every key is finished.
func (c *Client) deliverSynced(ctx context.Context, op Operation, n *Notification, fn func(context.Context, *Notification) error) (handledBefore bool, err error) {
	if c.notifyStore == nil {
		p, err := runGuarded(func() error { return fn(ctx, n) })
		if p != nil {
			return false, fmt.Errorf("paycools: Sync: the function panicked: %s", redactText(fmt.Sprint(p.value), 300))
		}
		return false, err
	}
	var held []*heldClaim
	releaseAll := func() {
		for _, h := range held {
			h.release(ctx)
		}
	}
	for _, key := range syncKeys(op, n) {
		cl, err := c.notifyStore.Claim(ctx, c.appID, key)
		switch {
		case err != nil:
			releaseAll()
			return false, fmt.Errorf("paycools: Sync: notification store: %w", err)
		case cl.State == NotificationStateDone:
			releaseAll()
			return true, nil
		case cl.State != NotificationStateNew:
			releaseAll()
			return false, errSyncInFlight
		}
		held = append(held, c.holdClaim(ctx, key, n.EventName, cl))
	}
	// fn runs under the first claim's context; every claim's heartbeat runs meanwhile.
	p, err := runGuarded(func() error { return fn(held[0].ctx, n) })
	switch {
	case p != nil:
		releaseAll()
		return false, fmt.Errorf("paycools: Sync: the function panicked: %s", redactText(fmt.Sprint(p.value), 300))
	case err != nil:
		releaseAll()
		return false, err
	}
	for _, h := range held {
		h.finish(ctx, "")
	}
	return false, nil
}
