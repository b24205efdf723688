package paycools

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// IntentState is where a money-moving create stands in a Ledger.
type IntentState string

// Intent states. Pending and unknown are open; created, refused and absent are final.
const (
	// IntentPending: written before the request is sent; the call is running or its process
	// died. Recover resolves it once its claim has ended.
	IntentPending IntentState = "pending"
	// IntentUnknown: the request may have reached PayCools and no answer settled it (the call
	// returned an error for which IsOutcomeUnknown is true). Recover resolves it.
	IntentUnknown IntentState = "unknown"
	// IntentCreated: PayCools holds the order (TransactionID says which). Final.
	IntentCreated IntentState = "created"
	// IntentRefused: PayCools answered with an error, or nothing was sent: no order exists.
	// Final; a new intent for the same merchant order id may be written.
	IntentRefused IntentState = "refused"
	// IntentAbsent: Recover asked PayCools, a settle time (WithSettleTime) after the last
	// attempt was sent, and PayCools has no order under the merchant order id: the request
	// never arrived. Final; the order may be created again.
	IntentAbsent IntentState = "absent"
	// IntentLate: the intent was absent, and then a verified callback (or the merchant, by
	// hand) proved that PayCools holds the order after all (TransactionID): the request arrived
	// later than the settle time. Final. Money moved: it is in the books like IntentCreated.
	// It does not block a new intent for the order, which may have been recorded since; when
	// one has, the SDK reports the conflict (a *LateCreationError, logged at error level).
	IntentLate IntentState = "late"
)

// Final reports whether s is created, refused, absent or late.
func (s IntentState) Final() bool {
	return s == IntentCreated || s == IntentRefused || s == IntentAbsent || s == IntentLate
}

// Intent is one money-moving create as a Ledger keeps it: written before the first request is
// sent, resolved after.
type Intent struct {
	// ID is the SDK's id of the intent (32 hex characters, random: unique across every
	// tenant of a shared ledger).
	ID string
	// AppID is the merchant application whose client wrote the intent (Client.AppID): every
	// look-up of the ledger is by application, so that two tenants sharing a ledger may use
	// the same merchant order ids.
	AppID string
	// Operation is the create: OpPayoutCreate, OpRefundCreate, OpWebPaymentCreate,
	// OpCheckoutCreate or OpDirectDebitCreatePayment.
	Operation Operation
	// MchOrderID is the merchant order id the create is looked up by (for refunds the
	// mchRefundOrderId).
	MchOrderID string
	// IdempotencyID is the idempotencyId sent (payouts), else empty.
	IdempotencyID string
	// LookupKey is what else the lookup needs: the originalTransactionId of a refund, the
	// countryCode of a web payment; else empty.
	LookupKey string
	// Amount is the amount of the create in minor units (PHP 500.10 is 50010).
	Amount Amount
	// Param is what the first attempt signed: the param JSON of an envelope operation, or the
	// canonical k=v string of a flat PH one. It holds the payee's account details: keep the
	// ledger's storage as private as the merchant's own order data.
	Param []byte
	// State is where the intent stands.
	State IntentState
	// TransactionID is PayCools' id of the created order, once known.
	TransactionID string
	// Detail says why the intent was refused or is unknown (an error text, account numbers
	// masked).
	Detail string
	// ClaimToken and ClaimUntil are the claim on an open intent: the call that wrote it holds
	// it while it runs, Recover while it resolves. An open intent whose claim has ended is
	// taken by Recover.
	ClaimToken string
	ClaimUntil time.Time
	// CreatedAt and UpdatedAt are the client clock's times of the write and the last change.
	CreatedAt time.Time
	UpdatedAt time.Time
	// SentBy is the client clock's time by which the last attempt of the create had been
	// sent: while the call runs, the end of its claim (no attempt is sent after it); once the
	// call resolved the intent, the time its last attempt was sent. Recover marks the intent
	// absent only a settle time after it (WithSettleTime). Zero in intents written before
	// this field existed: Recover then counts from UpdatedAt.
	SentBy time.Time
	// FinalStatus is the order's final state at PayCools, once the merchant's code has
	// handled it (a verified callback, or Client.Sync): COMPLETED or FAILED (refunds
	// COMPLETE, FAILED or CANCELLED; checkouts also CLOSED). Empty while the order is not
	// known to be final: Client.Sync asks PayCools about every created or late intent whose
	// FinalStatus is empty.
	FinalStatus string
	// FinalAmount is the amount of the final state in minor units (PHP 500.10 is 50010), as
	// PayCools reported it; 0 while FinalStatus is empty.
	FinalAmount Amount
	// FinalAt is the client clock's time the final state was recorded; zero while none is.
	FinalAt time.Time
}

// OrderFinal is the final state of a created order, as Ledger.Finalize records it.
type OrderFinal struct {
	// Status is PayCools' final status of the order (see Intent.FinalStatus).
	Status string
	// Amount is the final amount in minor units (PHP 500.10 is 50010).
	Amount Amount
	// At is the client clock's time of the record.
	At time.Time
}

// IntentResolution is the outcome a Ledger records for an intent.
type IntentResolution struct {
	// State is the new state: IntentUnknown or a final state.
	State IntentState
	// TransactionID is PayCools' id of the order (IntentCreated).
	TransactionID string
	// Detail says why (IntentRefused, IntentUnknown, IntentAbsent).
	Detail string
	// At is the client clock's time of the resolution.
	At time.Time
	// SentBy, when not zero, replaces the intent's SentBy: the time the call's last attempt
	// was sent.
	SentBy time.Time
}

// ErrIntentOpen is what Ledger.Record returns (wrapped, as an *IntentOpenError) when the
// application's operation already has an intent for the merchant order id that is pending,
// unknown or created: sending again could move the money twice.
var ErrIntentOpen = errors.New("paycools: the ledger already holds a pending, unknown or created intent for this merchant order id")

// IntentOpenError is the error of Ledger.Record when the order already has an open or created
// intent: it names that intent, whole, so that it can be looked at and, if PayCools' answer is
// known by other means, resolved by hand (Ledger.Resolve). errors.Is(err, ErrIntentOpen) is
// true.
type IntentOpenError struct {
	// IntentID is the id of the intent in the way (32 hex characters for the SDK's intents).
	IntentID string
	// State is its state: IntentPending, IntentUnknown or IntentCreated.
	State IntentState
	// Err is set when the intent in the way could not be read (IntentID is then empty).
	Err error
}

func (e *IntentOpenError) Error() string {
	if e.IntentID == "" {
		return fmt.Sprintf("%v (the intent in the way could not be read: %v)", ErrIntentOpen, e.Err)
	}
	return fmt.Sprintf("%v (intent %s, %s)", ErrIntentOpen, e.IntentID, e.State)
}

// Is reports whether target is ErrIntentOpen.
func (e *IntentOpenError) Is(target error) bool { return target == ErrIntentOpen }

// Ledger records the intent of every money-moving create before it is sent and its outcome
// after, so that a create interrupted by a crash is found and resolved after the restart (see
// Client.Recover). paycoolssql.NewLedger keeps it in PostgreSQL or SQLite; NewMemoryLedger in
// memory, for one process and tests. Implementations must be safe for concurrent use from
// several processes sharing storage, and each method must be atomic on its own.
//
// A ledger may be shared by several merchant applications (tenants): every intent carries its
// AppID, an order is identified by AppID, Operation and MchOrderID together, and the methods
// that look intents up or claim them take the appID whose intents they concern and never
// return another's. The methods that take an intent id (Resolve, Finalize, Unclaim) need no
// appID: the id is random and unique across tenants, and a client only ever has the ids of
// its own application's intents.
type Ledger interface {
	// Record writes a new open intent (State IntentPending) with its claim. It fails, wrapping
	// ErrIntentOpen (preferably as an *IntentOpenError naming the intent in the way), when
	// in.AppID's in.Operation already has an open or created intent for in.MchOrderID.
	Record(ctx context.Context, in *Intent) error
	// Resolve records the outcome of intent id and ends its claim (an unknown outcome is then
	// Recover's to settle at once). A final state is never changed again, except that an
	// IntentAbsent intent resolved as IntentCreated or IntentLate becomes IntentLate (with
	// r.TransactionID): a request that arrived late. That change never fails because the
	// order was recorded again since.
	Resolve(ctx context.Context, id string, r IntentResolution) error
	// ClaimOpen claims, for token until until, up to limit open intents of appID whose claim
	// ended by now and that were created at or after createdFrom, oldest first (ties in the order they
	// were recorded), and returns them. Client.Recover moves createdFrom to the last intent of
	// each batch, so that each claim reads about as many intents as it returns. Two concurrent
	// callers never get the same intent.
	ClaimOpen(ctx context.Context, appID, token string, now, until, createdFrom time.Time, limit int) ([]Intent, error)
	// Intents returns every intent of appID's op for mchOrderID, oldest first (by CreatedAt;
	// intents with the same CreatedAt in the order they were recorded).
	Intents(ctx context.Context, appID string, op Operation, mchOrderID string) ([]Intent, error)
	// ClaimUnsettled claims, for token until until, up to limit intents of appID that PayCools
	// holds (created or late) whose FinalStatus is empty, whose claim ended by now and that were
	// created from createdFrom to createdBy (both included), oldest first (ties in the order
	// they were recorded), and returns them (Client.Sync, which moves createdFrom to the last
	// intent of each batch, so that each claim reads about as many intents as it returns).
	// Two concurrent callers never get the same intent.
	ClaimUnsettled(ctx context.Context, appID, token string, now, until, createdFrom, createdBy time.Time, limit int) ([]Intent, error)
	// Finalize records the final state of the order of intent id (created or late) and ends
	// its claim. A FinalStatus already recorded is kept: Finalize then does nothing.
	Finalize(ctx context.Context, id string, f OrderFinal) error
	// Unclaim ends the claim of token on intent id, if it still holds, so that the next
	// Client.Sync takes the intent again.
	Unclaim(ctx context.Context, id, token string) error
}

// LedgerError is a ledger write that failed before a money-moving create was sent: nothing
// was sent. It wraps the ledger's error (ErrIntentOpen when the order already has an open or
// created intent).
type LedgerError struct {
	// Operation is the create that was not sent.
	Operation Operation
	// MchOrderID is its merchant order id.
	MchOrderID string
	// Err is the ledger's error.
	Err error
}

func (e *LedgerError) Error() string {
	var open *IntentOpenError
	if errors.As(e.Err, &open) && open.IntentID != "" {
		// The id is printed whole (redaction would mask its digit runs): it is what the
		// merchant looks up to resolve the intent in the way.
		return fmt.Sprintf("paycools: %s: ledger: intent for order %q not written, nothing sent: the ledger holds intent %s (%s) for this order; see the README, \"Resolving an intent by hand\"",
			e.Operation, e.MchOrderID, open.IntentID, open.State)
	}
	// A database error may quote the values it refused (the param holds account numbers).
	return fmt.Sprintf("paycools: %s: ledger: intent for order %q not written, nothing sent: %s", e.Operation, e.MchOrderID, redactText(e.Err.Error(), 300))
}

func (e *LedgerError) Unwrap() error { return e.Err }

// defaultIntentClaim is how long the call that writes an intent holds its claim when its
// context has no deadline: longer than any call with the default timeouts and retries, so
// that Recover on another replica never resolves an intent whose call is still running.
const defaultIntentClaim = 5 * time.Minute

// intentClaimMargin is added to a context deadline for the replicas' clock differences.
const intentClaimMargin = 2 * time.Second

// claimUntil is when a claim taken now by work running under ctx ends: the context's deadline
// (the work cannot outlive it) plus a margin, or defaultIntentClaim from now when ctx has no
// deadline or a later one.
func claimUntil(ctx context.Context, now time.Time) time.Time {
	if d, ok := ctx.Deadline(); ok {
		if rem := time.Until(d) + intentClaimMargin; rem < defaultIntentClaim {
			return now.Add(rem)
		}
	}
	return now.Add(defaultIntentClaim)
}

// WithLedger makes every money-moving create (Payouts.Create, Refunds.Create,
// WebPayments.Create, Checkout.Create, DirectDebit.CreatePayment) write its intent to l before
// the request is sent and its outcome after; run Client.Recover at start-up (and from time to
// time) to resolve the intents that a crash left open. A failed write before sending means
// nothing is sent (*LedgerError). A failed write after is logged: the intent stays open and
// Recover resolves it. nil turns the ledger off (the default).
func WithLedger(l Ledger) Option {
	return func(c *Client) error {
		c.ledger = l
		return nil
	}
}

// moneyOrder is what a money-moving create is looked up by, for the outcome resolution inside the call
// and for Recover.
type moneyOrder struct {
	mchOrderID    string
	idempotencyID string
	lookupKey     string
	amount        Amount
	currency      Currency // "" when the create does not send one
	account       string   // the destination account (payouts), else ""
}

type intentKey struct{}

// ledgerIntent is the intent of the call running under ctx (nil when there is none).
func ledgerIntent(ctx context.Context) *Intent {
	in, _ := ctx.Value(intentKey{}).(*Intent)
	return in
}

// recordOnFirstBuild wraps the build of a money-moving call so that the first attempt's signed
// bytes are written to the ledger before they are sent. Later attempts (and the outcome resolution's
// resend) send under the intent already written. Every attempt notes its send time in
// in.SentBy, which settleIntent writes with the outcome; the intent is recorded with SentBy at
// the end of the call's claim, the latest an attempt can be sent should the process die.
func (c *Client) recordOnFirstBuild(ctx context.Context, op Operation, in *Intent, build func() (wireRequest, error)) func() (wireRequest, error) {
	return func() (wireRequest, error) {
		wr, err := build()
		if err != nil {
			return wr, err
		}
		now := c.clock()
		if in.State != "" {
			in.SentBy = now
			return wr, nil
		}
		in.AppID, in.Param = c.appID, wr.param
		if in.Param == nil {
			in.Param = wr.signed
		}
		in.State, in.CreatedAt, in.UpdatedAt = IntentPending, now, now
		in.ClaimToken, in.ClaimUntil = in.ID, claimUntil(ctx, now)
		in.SentBy = in.ClaimUntil
		if err := c.ledger.Record(ctx, in); err != nil {
			in.State = ""
			return wireRequest{}, &LedgerError{Operation: op, MchOrderID: in.MchOrderID, Err: err}
		}
		in.SentBy = now
		return wr, nil
	}
}

// settleIntent writes the outcome of a create whose intent was recorded.
func (c *Client) settleIntent(ctx context.Context, in *Intent, txnID string, err error) {
	r := IntentResolution{State: IntentCreated, TransactionID: txnID, At: c.clock(), SentBy: in.SentBy}
	switch {
	case err == nil:
	case IsOutcomeUnknown(err):
		r.State, r.Detail = IntentUnknown, redactText(err.Error(), 300)
	default:
		r.State, r.Detail = IntentRefused, redactText(err.Error(), 300)
	}
	if werr := c.ledger.Resolve(context.WithoutCancel(ctx), in.ID, r); werr != nil {
		c.logger.LogAttrs(ctx, slog.LevelError, "paycools ledger: outcome not written; the intent stays open until Recover resolves it",
			slog.String("operation", string(in.Operation)), slog.String("intent", in.ID),
			slog.String("state", string(r.State)), slog.String("error", redactText(werr.Error(), 300)))
	}
}

// newIntentID is 16 random bytes in hex.
func newIntentID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recoverLookups asks PayCools about the order of an intent, by the same queries that the
// outcome resolution inside each create uses, and returns the undecoded answer (read by the
// create's money facts).
var recoverLookups = map[Operation]func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error){
	OpPayoutCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.Payouts.lookup(ctx, o))
	},
	OpRefundCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.Refunds.lookup(ctx, o))
	},
	OpWebPaymentCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.WebPayments.lookup(ctx, o))
	},
	OpCheckoutCreate: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.Checkout.lookup(ctx, o))
	},
	OpDirectDebitCreatePayment: func(ctx context.Context, c *Client, o moneyOrder) (json.RawMessage, error) {
		return rawResult(c.DirectDebit.lookup(ctx, o))
	},
}

// DefaultSettleTime is how long after the last attempt of a create was sent Recover waits
// before it takes "not found" for "never arrived" (10 minutes). A create PayCools was still
// processing when the call gave up is not listed yet; the default is twice the longest a call
// holds its intent with the default timeouts (5 minutes), so that a request still queued or
// being processed on PayCools' side when the SDK gave up has been made or dropped.
const DefaultSettleTime = 10 * time.Minute

// WithSettleTime sets how long after the last attempt of a money-moving create was sent
// Client.Recover waits before it marks the intent absent on a "not found" look-up (default
// DefaultSettleTime). Before that, "not found" leaves the intent unknown and a later Recover
// asks again; a found order is recorded at once whatever the settle time. Choose it longer
// than the longest PayCools may take to act on a request it received. d must be positive.
func WithSettleTime(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("paycools: WithSettleTime(%v): must be positive", d)
		}
		c.settleTime = d
		return nil
	}
}

// ErrNoOrderLookup is what Recover reports (IntentOutcome.Err wraps it), and what the
// outcome resolution of a create puts in UnresolvedOutcomeError.LookupErr, for an order that cannot be looked
// up by merchant order id with this client (in the PH dialect web payments and direct-debit
// charges are looked up by PayCools' transaction id only, which an unknown outcome does not
// give). Nothing is sent; the intent stays unknown until a verified callback for its order
// settles it (NotificationHandler), or the merchant resolves it by hand (README, "Resolving an
// intent by hand").
var ErrNoOrderLookup = errors.New("paycools: this order cannot be looked up by merchant order id in this dialect")

// RecoverReport is what Client.Recover did: one entry per intent it claimed.
type RecoverReport struct {
	// Resolutions lists each claimed intent and what became of it, oldest first.
	Resolutions []IntentOutcome
}

// IntentOutcome is one intent Recover claimed and what it found.
type IntentOutcome struct {
	// Intent is the intent as claimed (before the resolution).
	Intent Intent
	// State is what it was resolved to: IntentCreated, IntentAbsent, IntentRefused when the
	// merchant order id belongs to a different transaction (Err is the
	// *OrderMismatchError), or IntentUnknown when PayCools could not tell (Err says why: the
	// look-up failed, its answer proved nothing (ErrLookupInconclusive), "not found" came
	// before the settle time, or the order cannot be looked up in this dialect
	// (ErrNoOrderLookup); a later Recover tries again).
	State IntentState
	// TransactionID is PayCools' id of the order when State is IntentCreated.
	TransactionID string
	// Err is the lookup's or the ledger's error, when the intent is still open.
	Err error
}

// Unresolved counts the intents that are still open after the run.
func (r *RecoverReport) Unresolved() int {
	n := 0
	for _, o := range r.Resolutions {
		if !o.State.Final() {
			n++
		}
	}
	return n
}

// ErrNoLedger is what Recover returns for a client without WithLedger.
var ErrNoLedger = errors.New("paycools: Recover: the client has no ledger (WithLedger)")

// recoverBatch is how many intents one Recover claim takes at a time.
const recoverBatch = 50

// Recover resolves the open intents of the client's ledger whose claim has ended, those of
// the client's own application (Client.AppID) only: those of
// calls whose process died between writing the intent and writing the outcome, and those that
// ended with an unknown outcome. For each it asks PayCools by merchant order id, with the same
// queries the create's own outcome resolution uses: found (an answer naming the merchant order id with
// PayCools' transaction id) means IntentCreated, "transaction not found" a settle time after
// the last attempt was sent (WithSettleTime) means IntentAbsent (the request never arrived;
// create the order again if it is still wanted), and any other answer leaves it open
// (IntentUnknown, reported with the error) for a later Recover. An operation that cannot be
// looked up by merchant order id in the client's dialect is reported with ErrNoOrderLookup
// and nothing is sent: its verified callback settles it (NotificationHandler), or the
// merchant does by hand (Ledger.Resolve).
//
// An intent's claim lasts as long as the context of the call that wrote it (plus 2 seconds
// for clock differences), or 5 minutes when that context has no deadline: give money-moving
// calls a deadline so that Recover can settle a crashed call soon. Recover's own claims last
// the same way, from its ctx.
//
// Recover never sends money: after a restart the merchant's wish may have changed. It is safe
// to run from every replica at once: each intent is claimed by one Recover only. Run it at
// start-up, before serving, and from time to time. It stops early, with ctx's error, when ctx
// ends; the intents it claimed but did not resolve are taken again once their claim ends.
func (c *Client) Recover(ctx context.Context) (*RecoverReport, error) {
	if ctx == nil {
		return nil, &ValidationError{Operation: "Recover", Fields: []FieldError{{Field: "ctx", Problem: "nil context"}}}
	}
	if c.ledger == nil {
		return nil, ErrNoLedger
	}
	report := &RecoverReport{}
	token := newIntentID()
	var from time.Time // the cursor: the newest intent of the batch before
	for {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		now := c.clock()
		batch, err := c.ledger.ClaimOpen(ctx, c.appID, token, now, claimUntil(ctx, now), from, recoverBatch)
		if err != nil {
			return report, fmt.Errorf("paycools: Recover: ledger: %w", err)
		}
		if len(batch) == 0 {
			return report, nil
		}
		from = batch[len(batch)-1].CreatedAt
		for i := range batch {
			in := batch[i]
			out := c.recoverOne(ctx, &in)
			report.Resolutions = append(report.Resolutions, out)
			if ctx.Err() != nil {
				return report, ctx.Err()
			}
		}
		// What this run resolved is final and what it could not resolve keeps this run's
		// claim, so the next batch holds only intents this run has not seen.
	}
}

// recoverOne resolves one claimed intent.
func (c *Client) recoverOne(ctx context.Context, in *Intent) IntentOutcome {
	out := IntentOutcome{Intent: *in, State: in.State}
	lookup, ok := recoverLookups[in.Operation]
	if !ok {
		out.Err = fmt.Errorf("paycools: Recover: %s is not a money-moving create", in.Operation)
		return out
	}
	o := moneyOrder{mchOrderID: in.MchOrderID, idempotencyID: in.IdempotencyID, lookupKey: in.LookupKey, amount: in.Amount}
	raw, err := lookup(ctx, c, o)
	found := c.endpoints[in.Operation].money.found(raw)
	var ve *ValidationError
	if errors.As(err, &ve) {
		// The SDK refused its own look-up: nothing was sent, and asking again never helps.
		out.State, out.Err = IntentUnknown, fmt.Errorf("%w: intent %s (%s %q) stays unknown: %v", ErrNoOrderLookup, in.ID, in.Operation, in.MchOrderID, err)
		return out
	}
	r := IntentResolution{At: c.clock()}
	switch {
	case err == nil:
		r.State, r.TransactionID = IntentCreated, found.txnID
		jerr := judgeFound(in.Operation, o, found)
		var mm *OrderMismatchError
		switch {
		case errors.As(jerr, &mm):
			// The order id is another transaction's: this intent's create did not happen.
			r.State, r.TransactionID, r.Detail = IntentRefused, "", redactText(mm.Error(), 300)
			out.Err = mm
		case jerr != nil:
			out.State, out.Err = IntentUnknown, jerr
			return out
		}
	case errors.Is(err, ErrTransactionNotFound):
		if settled := c.settledAt(in); r.At.Before(settled) {
			// PayCools may still be acting on the last attempt: not yet proof of absence.
			out.State, out.Err = IntentUnknown, fmt.Errorf("paycools: Recover: intent %s: PayCools has no order %q yet, but its last attempt was sent less than the settle time (%v) ago; a Recover from %s on decides",
				in.ID, in.MchOrderID, c.settleTime, settled.UTC().Format(time.RFC3339))
			return out
		}
		r.State, r.Detail = IntentAbsent, "Recover: PayCools has no order under this merchant order id"
	default:
		// Still open. Nothing is written: the intent keeps this run's claim until it ends, so
		// that this run does not take it again, and a later Recover tries once more.
		out.State, out.Err = IntentUnknown, err
		return out
	}
	if werr := c.ledger.Resolve(context.WithoutCancel(ctx), in.ID, r); werr != nil {
		out.State, out.Err = in.State, fmt.Errorf("paycools: Recover: ledger: %w", werr)
		return out
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "paycools Recover: intent resolved",
		slog.String("operation", string(in.Operation)), slog.String("intent", in.ID), slog.String("state", string(r.State)))
	out.State, out.TransactionID = r.State, r.TransactionID
	return out
}

// settledAt is when "not found" proves that the create of in never arrived: the settle time
// after its last attempt was sent (SentBy; UpdatedAt for intents written before SentBy
// existed, or CreatedAt).
func (c *Client) settledAt(in *Intent) time.Time {
	sent := in.SentBy
	if sent.IsZero() {
		sent = in.UpdatedAt
	}
	if sent.Before(in.CreatedAt) {
		sent = in.CreatedAt
	}
	return sent.Add(c.settleTime)
}

// MemoryLedger is a Ledger in memory: one process, for tests and for programs that only want
// the in-process bookkeeping. It does not survive a restart; use paycoolssql for that.
type MemoryLedger struct {
	mu      sync.Mutex
	intents map[string]*Intent
	seq     map[string]uint64 // intent id -> write order, which breaks CreatedAt ties
	next    uint64
}

// NewMemoryLedger returns an empty in-memory ledger.
func NewMemoryLedger() *MemoryLedger {
	return &MemoryLedger{intents: map[string]*Intent{}, seq: map[string]uint64{}}
}

// oldestFirst sorts intents by CreatedAt, ties in the order they were recorded.
func (l *MemoryLedger) oldestFirst(in []*Intent) {
	sort.Slice(in, func(a, b int) bool {
		if !in[a].CreatedAt.Equal(in[b].CreatedAt) {
			return in[a].CreatedAt.Before(in[b].CreatedAt)
		}
		return l.seq[in[a].ID] < l.seq[in[b].ID]
	})
}

// Record writes a new open intent.
func (l *MemoryLedger) Record(_ context.Context, in *Intent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.intents {
		if e.AppID == in.AppID && e.Operation == in.Operation && e.MchOrderID == in.MchOrderID && (!e.State.Final() || e.State == IntentCreated) {
			return &IntentOpenError{IntentID: e.ID, State: e.State}
		}
	}
	if _, dup := l.intents[in.ID]; dup {
		return fmt.Errorf("paycools: ledger: intent id %s exists", in.ID)
	}
	cp := *in
	cp.Param = append([]byte(nil), in.Param...)
	l.intents[in.ID] = &cp
	l.next++
	l.seq[in.ID] = l.next
	return nil
}

// Resolve records the outcome of intent id.
func (l *MemoryLedger) Resolve(_ context.Context, id string, r IntentResolution) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.intents[id]
	if !ok {
		return fmt.Errorf("paycools: ledger: no intent %s", id)
	}
	late := e.State == IntentAbsent && (r.State == IntentCreated || r.State == IntentLate)
	if e.State.Final() && !late {
		return nil
	}
	if r.State == IntentLate && !late {
		r.State = IntentCreated // only an absent intent can be late
	}
	e.State, e.TransactionID, e.Detail, e.UpdatedAt = r.State, r.TransactionID, r.Detail, r.At
	if late {
		e.State = IntentLate
	}
	if !r.SentBy.IsZero() {
		e.SentBy = r.SentBy
	}
	e.ClaimToken, e.ClaimUntil = "", time.Time{}
	return nil
}

// ClaimUnsettled claims up to limit created or late intents of appID without a final status.
func (l *MemoryLedger) ClaimUnsettled(_ context.Context, appID, token string, now, until, createdFrom, createdBy time.Time, limit int) ([]Intent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var open []*Intent
	for _, e := range l.intents {
		if e.AppID == appID && (e.State == IntentCreated || e.State == IntentLate) && e.FinalStatus == "" && !e.ClaimUntil.After(now) &&
			!e.CreatedAt.Before(createdFrom) && !e.CreatedAt.After(createdBy) {
			open = append(open, e)
		}
	}
	l.oldestFirst(open)
	if len(open) > limit {
		open = open[:limit]
	}
	out := make([]Intent, 0, len(open))
	for _, e := range open {
		e.ClaimToken, e.ClaimUntil = token, until
		out = append(out, *e)
	}
	return out, nil
}

// Finalize records the final state of a created or late intent's order, once.
func (l *MemoryLedger) Finalize(_ context.Context, id string, f OrderFinal) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.intents[id]
	if !ok {
		return fmt.Errorf("paycools: ledger: no intent %s", id)
	}
	if (e.State != IntentCreated && e.State != IntentLate) || e.FinalStatus != "" {
		return nil
	}
	e.FinalStatus, e.FinalAmount, e.FinalAt, e.UpdatedAt = f.Status, f.Amount, f.At, f.At
	e.ClaimToken, e.ClaimUntil = "", time.Time{}
	return nil
}

// Unclaim ends the claim of token on intent id.
func (l *MemoryLedger) Unclaim(_ context.Context, id, token string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.intents[id]; ok && e.ClaimToken == token {
		e.ClaimToken, e.ClaimUntil = "", time.Time{}
	}
	return nil
}

// ClaimOpen claims up to limit open intents of appID whose claim ended by now.
func (l *MemoryLedger) ClaimOpen(_ context.Context, appID, token string, now, until, createdFrom time.Time, limit int) ([]Intent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var open []*Intent
	for _, e := range l.intents {
		if e.AppID == appID && !e.State.Final() && !e.ClaimUntil.After(now) && !e.CreatedAt.Before(createdFrom) {
			open = append(open, e)
		}
	}
	l.oldestFirst(open)
	if len(open) > limit {
		open = open[:limit]
	}
	out := make([]Intent, 0, len(open))
	for _, e := range open {
		e.ClaimToken, e.ClaimUntil = token, until
		out = append(out, *e)
	}
	return out, nil
}

// Intents returns every intent of appID's op for mchOrderID, oldest first.
func (l *MemoryLedger) Intents(_ context.Context, appID string, op Operation, mchOrderID string) ([]Intent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var found []*Intent
	for _, e := range l.intents {
		if e.AppID == appID && e.Operation == op && e.MchOrderID == mchOrderID {
			found = append(found, e)
		}
	}
	l.oldestFirst(found)
	out := make([]Intent, len(found))
	for i, e := range found {
		out[i] = *e
	}
	return out, nil
}
