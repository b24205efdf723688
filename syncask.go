package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Client.Sync asking PayCools about one order: the query by merchant order id (or, once
// created, by PayCools' id), its status read per family, and the event a callback of that
// final state would have carried.

// syncAsk asks PayCools about the order of in, and builds the notification of its final state
// (nil while it is not final) with the status PayCools reported.
func (c *Client) syncAsk(ctx context.Context, in *Intent) (*Notification, string, error) {
	lookup, ok := recoverLookups[in.Operation]
	fam, famOK := syncFamilies[in.Operation]
	if !ok || !famOK {
		return nil, "", fmt.Errorf("paycools: Sync: %s is not a money-moving create", in.Operation)
	}
	o := moneyOrder{mchOrderID: in.MchOrderID, idempotencyID: in.IdempotencyID, lookupKey: in.LookupKey, amount: in.Amount}
	if byID, ok := syncByTransaction[in.Operation]; ok && in.TransactionID != "" {
		lookup = func(ctx context.Context, c *Client, _ moneyOrder) (json.RawMessage, error) { return byID(ctx, c, in) }
	}
	raw, err := lookup(ctx, c, o)
	found := c.endpoints[in.Operation].money.found(raw)
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		return nil, "", fmt.Errorf("%w: %s %q (intent %s): %v", ErrNoOrderLookup, in.Operation, in.MchOrderID, in.ID, err)
	case err != nil:
		return nil, "", fmt.Errorf("paycools: Sync: %s %q: %w", in.Operation, in.MchOrderID, err)
	}
	if err := judgeFound(in.Operation, o, found); err != nil {
		return nil, "", fmt.Errorf("paycools: Sync: %s %q: %w", in.Operation, in.MchOrderID, err)
	}
	if in.TransactionID != "" && found.txnID != in.TransactionID {
		return nil, "", fmt.Errorf("paycools: Sync: %s %q: %w: it names PayCools id %q, the ledger %q", in.Operation, in.MchOrderID,
			ErrLookupInconclusive, redactText(found.txnID, 40), in.TransactionID)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(found.raw, &fields) != nil {
		return nil, "", fmt.Errorf("paycools: Sync: %s %q: %w: the answer is not a JSON object", in.Operation, in.MchOrderID, ErrLookupInconclusive)
	}
	status, final, event := fam(fields[statusField(in.Operation)])
	if !final {
		return nil, status, nil
	}
	// The answer's members with the event's name (any name the answer carries is replaced).
	delete(fields, "event_name")
	fields["eventName"] = jsonString(event)
	param, err := json.Marshal(fields)
	if err != nil {
		return nil, status, fmt.Errorf("paycools: Sync: %s %q: %w", in.Operation, in.MchOrderID, err)
	}
	n := &Notification{EventName: event, Param: param, AppID: c.appID, Synced: true}
	if _, nerr := c.decodeNotification(ctx, n); nerr != nil || n.Event == nil {
		return nil, status, fmt.Errorf("paycools: Sync: %s %q: the answer does not make a %s event", in.Operation, in.MchOrderID, event)
	}
	if field := unreadableMoneyOrStatus(n); field != "" {
		return nil, status, fmt.Errorf("paycools: Sync: %s %q: %w: its %s cannot be read", in.Operation, in.MchOrderID, ErrLookupInconclusive, field)
	}
	return n, status, nil
}

// syncByTransaction asks about a created web payment or direct-debit charge by PayCools'
// transaction id, which the ledger holds once the order is created: the query the PH dialect
// has for them (it has none by merchant order id), and an equal one in the open-api dialect.
var syncByTransaction = map[Operation]func(ctx context.Context, c *Client, in *Intent) (json.RawMessage, error){
	OpWebPaymentCreate: func(ctx context.Context, c *Client, in *Intent) (json.RawMessage, error) {
		country := CountryCode(in.LookupKey)
		if country == "" {
			country = CountryPH
		}
		return rawResult(c.WebPayments.Get(ctx, &WebPaymentGetParams{TransactionID: in.TransactionID, CountryCode: country}))
	},
	OpDirectDebitCreatePayment: func(ctx context.Context, c *Client, in *Intent) (json.RawMessage, error) {
		return rawResult(c.DirectDebit.GetPayment(ctx, &DirectDebitPaymentGetParams{TransactionID: in.TransactionID}))
	},
}

// statusField is the name of the status in the look-up answer and the callback of op.
func statusField(op Operation) string {
	if op == OpRefundCreate {
		return "refundStatus"
	}
	return "transactionStatus"
}

// syncFamilies read a look-up's status: its canonical spelling, whether it is final, and the
// event name a callback of that final state carries.
var syncFamilies = map[Operation]func(raw json.RawMessage) (status string, final bool, event string){
	OpPayoutCreate: func(raw json.RawMessage) (string, bool, string) {
		var s TransactionStatus
		_ = json.Unmarshal(raw, &s)
		return string(s), s.Final(), pick(s == TransactionStatusCompleted, EventDisbursementSuccess, EventDisbursementFailed)
	},
	OpWebPaymentCreate: func(raw json.RawMessage) (string, bool, string) {
		var s TransactionStatus
		_ = json.Unmarshal(raw, &s)
		return string(s), s.Final(), pick(s == TransactionStatusCompleted, EventH5PaymentSuccess, EventH5PaymentFailed)
	},
	OpCheckoutCreate: func(raw json.RawMessage) (string, bool, string) {
		var s TransactionStatus
		_ = json.Unmarshal(raw, &s)
		// A CLOSED order gets no callback: Sync delivers it as a failed payment whose
		// transactionStatus is CLOSED.
		return string(s), s.Final(), pick(s == TransactionStatusCompleted, EventCheckoutPaymentSuccess, EventCheckoutPaymentFailed)
	},
	OpDirectDebitCreatePayment: func(raw json.RawMessage) (string, bool, string) {
		var s TransactionStatus
		_ = json.Unmarshal(raw, &s)
		// The documented names; the flat edition's directdebit.payment.* are claimed too
		// (syncKeys).
		return string(s), s.Final(), pick(s == TransactionStatusCompleted, EventDirectDebitSuccess, EventDirectDebitFailed)
	},
	OpRefundCreate: func(raw json.RawMessage) (string, bool, string) {
		var s RefundStatus
		_ = json.Unmarshal(raw, &s)
		event := EventRefundFailed
		switch s {
		case RefundStatusCompleted:
			event = EventRefundSuccess
		case RefundStatusCancelled:
			event = EventRefundCancel
		}
		return string(s), s.Final(), event
	},
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// syncSpellings are the status spellings of each family, as its status type decodes them.
var syncSpellings = map[Operation]map[string]string{
	OpPayoutCreate:             transactionStatusSpellings,
	OpWebPaymentCreate:         transactionStatusSpellings,
	OpCheckoutCreate:           transactionStatusSpellings,
	OpDirectDebitCreatePayment: transactionStatusSpellings,
	OpRefundCreate:             refundStatusSpellings,
}

// syncEventAliases are the event names that mean the same final state under another name.
var syncEventAliases = map[string]string{
	EventDirectDebitSuccess: EventDirectDebitPaymentSuccess, EventDirectDebitPaymentSuccess: EventDirectDebitSuccess,
	EventDirectDebitFailed: EventDirectDebitPaymentFailed, EventDirectDebitPaymentFailed: EventDirectDebitFailed,
}
