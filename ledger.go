package paycools

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
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
