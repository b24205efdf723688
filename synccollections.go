package paycools

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// HandledKeyLister is an optional interface of a NotificationStore: HandledKeys returns the
// NotificationKeys of appID's events it holds as handled, for as long as it remembers them (it
// may leave out keys that name no transactionId), never another application's. Client.Sync uses it to find the collections whose
// callback was never handled. MemoryNotificationStore and paycoolssql's store implement it.
type HandledKeyLister interface {
	HandledKeys(ctx context.Context, appID string) ([]string, error)
}

// SyncCollection is a collection the merchant did not create through the SDK (a
// virtual-account, QR or bank-transfer payment) that PayCools' payment statement shows
// completed, and whose callback the notification store never saw handled.
type SyncCollection struct {
	// Record is the statement record: merchant order id, PayCools' transaction id, channel,
	// amount (minor units), payer and times.
	Record PaymentRecord
	// Age is how long ago PayCools completed it (its CompleteTime, else CreateTime).
	Age time.Duration
}

// transactionIDOfKey is the PayCools transaction id a NotificationKey names, "" for keys on
// another id.
func transactionIDOfKey(key string) string {
	const marker = ":transactionId="
	i := strings.Index(key, marker)
	if i < 0 {
		return ""
	}
	v := key[i+len(marker):]
	if j := strings.IndexByte(v, ':'); j >= 0 {
		v = v[:j]
	}
	return strings.ReplaceAll(strings.ReplaceAll(v, "%3A", ":"), "%25", "%")
}

// syncCollections lists the completed collections of the sync window (WithSyncWindow, 24 h
// when 0) that are older than WithSyncAfter, whose transaction no handled event of the
// notification store names, and whose merchant order id is not one of the ledger's own
// (web payments, checkouts and direct-debit charges, which Sync delivers itself). The payment
// statement carries no event name and no reference number or QR id, so the callback's event
// cannot be built from it: they are listed, for the merchant to look at, never delivered.
func (c *Client) syncCollections(ctx context.Context, report *SyncReport) error {
	lister, ok := c.notifyStore.(HandledKeyLister)
	if !ok {
		report.CollectionsUnchecked = "the notification store does not list the events it handled (paycools.HandledKeyLister)"
		return nil
	}
	keys, err := lister.HandledKeys(ctx, c.appID)
	if err != nil {
		return fmt.Errorf("paycools: Sync: notification store: %w", err)
	}
	handled := make(map[string]bool, len(keys))
	for _, k := range keys {
		if id := transactionIDOfKey(k); id != "" {
			handled[id] = true
		}
	}
	now := c.clock()
	window := c.syncWindow
	if window <= 0 {
		window = DefaultSyncWindow
	}
	from, by := now.Add(-window), now.Add(-c.syncAfter)
	midnight := func(t time.Time) time.Time {
		y, m, d := t.In(phTime).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, phTime)
	}
	for day := midnight(from); !day.After(midnight(now)); day = day.AddDate(0, 0, 1) {
		params := &AccountPaymentStatementParams{CreateDate: day.Format(time.DateOnly), Status: StatementStatusComplete}
		for rec, err := range c.Account.PaymentStatementRecords(ctx, params) {
			if err != nil {
				return fmt.Errorf("paycools: Sync: payment statement of %s: %w", params.CreateDate, err)
			}
			at := rec.CompleteTime.Time
			if at.IsZero() {
				at = rec.CreateTime.Time
			}
			if rec.Status != TransactionStatusCompleted || at.Before(from) || at.After(by) || handled[rec.TransactionID] {
				continue
			}
			own, err := c.ledgerHoldsCollection(ctx, rec.MerchantOrderID)
			if err != nil {
				return err
			}
			if !own {
				report.Collections = append(report.Collections, SyncCollection{Record: rec, Age: now.Sub(at)})
			}
		}
	}
	return nil
}

// ledgerHoldsCollection reports whether mchOrderID is a collection the SDK created (a web
// payment, checkout order or direct-debit charge in the ledger).
func (c *Client) ledgerHoldsCollection(ctx context.Context, mchOrderID string) (bool, error) {
	for _, op := range [...]Operation{OpWebPaymentCreate, OpCheckoutCreate, OpDirectDebitCreatePayment} {
		ins, err := c.ledger.Intents(ctx, c.appID, op, mchOrderID)
		if err != nil {
			return false, fmt.Errorf("paycools: Sync: ledger: %w", err)
		}
		if len(ins) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// HandledKeys returns the keys of appID's handled events the store remembers.
func (s *MemoryNotificationStore) HandledKeys(_ context.Context, appID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []string
	for k, e := range s.entries {
		if k.appID == appID && e.done && now.Before(e.expires) {
			out = append(out, k.key)
		}
	}
	return out, nil
}

// LogValue renders the value for slog with the payer's mobile number masked.
func (x SyncCollection) LogValue() slog.Value { return maskedLogValue(x) }

// String renders the value with its masked fields masked, as LogValue does.
func (x SyncCollection) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x SyncCollection) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x SyncCollection) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// LogValue renders the report for slog with the collections' mobile numbers masked.
func (x SyncReport) LogValue() slog.Value { return maskedLogValue(x) }

// String renders the report with its masked fields masked, as LogValue does.
func (x SyncReport) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x SyncReport) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x SyncReport) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }
