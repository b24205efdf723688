package paycools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
)

// StatementStatus filters the records of a payment or payout statement (doc 2.2 / 2.3). It
// is sent exactly as written, in the Philippine spelling these endpoints use (COMPLETE, not
// COMPLETED).
type StatementStatus string

// Statement filters.
const (
	// StatementStatusPending lists only records still pending.
	StatementStatusPending StatementStatus = "PENDING"
	// StatementStatusComplete lists only completed records.
	StatementStatusComplete StatementStatus = "COMPLETE"
	// StatementStatusFailed lists only failed records.
	StatementStatusFailed StatementStatus = "FAILED"
)

// AccountBalanceParams asks for the merchant's available balance (doc 2.1). A nil *AccountBalanceParams is
// allowed and means all defaults.
type AccountBalanceParams struct {
	// CountryCode is which country account to read (PH, ID, MY, TH); empty means CountryPH.
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH"`
	RequestFields
}

// Balance is the answer of doc 2.1: the funds available for payouts.
type Balance struct {
	// Balance is the available balance in minor units (centavos: PHP 500.10 is 50010).
	// PayCools sends it in two ways: a JSON number or a string of digits is already in
	// centavos ("439369947"); a string with a decimal point is in pesos and is converted
	// exactly ("10000.00" is 1000000).
	Balance Amount `json:"balance"`
	ResultMeta
}

// UnmarshalJSON decodes the balance with the rule given on Balance.Balance.
func (b *Balance) UnmarshalJSON(data []byte) error {
	var aux struct {
		Balance json.RawMessage `json:"balance"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	v, err := decodeAmount(aux.Balance)
	if err != nil {
		return fmt.Errorf("paycools: balance: %w", err)
	}
	b.Balance = v
	return nil
}

// decodeStatementPesos reads an amount that PayCools sends in major units (pesos): a JSON number
// or a numeric string with up to two decimals ("100.1" is 10010). null and "" give 0. The
// conversion is exact (ParseAmount); more than two non-zero decimals is an error.
func decodeStatementPesos(raw json.RawMessage) (Amount, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		if strings.TrimSpace(s) == "" {
			return 0, nil
		}
	}
	return ParseAmount(s)
}

// decodeStatementRecord decodes one statement record into dst (a pointer to a struct
// type without an UnmarshalJSON method) with the tolerant rules of the core, except for the
// JSON names in majors, whose values are read in major units into the given Amounts. Any
// field that cannot be decoded makes it return an error naming the fields; the caller then
// sees the record refused with one Warn line (the core's rule for undecodable elements).
func decodeStatementRecord(data []byte, dst any, majors map[string]*Amount) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	var problems []string
	for name, target := range majors {
		for k, raw := range fields {
			if k != name && !strings.EqualFold(k, name) {
				continue
			}
			delete(fields, k)
			v, err := decodeStatementPesos(raw)
			if err != nil {
				problems = append(problems, name+": "+err.Error())
				continue
			}
			*target = v
		}
	}
	decodeStructFields(fields, reflect.ValueOf(dst).Elem(), "", func(path string, err error) {
		problems = append(problems, path+": "+err.Error())
	})
	if len(problems) > 0 {
		return errors.New("paycools: record: " + strings.Join(problems, "; "))
	}
	return nil
}

// validateStatementDates is the rule shared by AccountPaymentStatementParams and
// AccountPayoutStatementParams: at least one of createDate / completeDate.
func validateStatementDates(v *validation, createDate, completeDate string) {
	if createDate == "" && completeDate == "" {
		v.add("createDate", "one of createDate / completeDate is required")
	}
}

// AccountPaymentStatementParams lists one day of the merchant's collections (money in), one page at
// a time (doc 2.2). Set CreateDate or CompleteDate (or both).
type AccountPaymentStatementParams struct {
	// CreateDate is the day to list by transaction creation date, "yyyy-MM-dd" (≤ 50 chars).
	// One of CreateDate / CompleteDate is required.
	CreateDate string `json:"createDate,omitempty" pc:"len=1..50,pattern=date"`
	// CompleteDate is the day to list by transaction completion date, "yyyy-MM-dd" (≤ 50
	// chars). One of CreateDate / CompleteDate is required.
	CompleteDate string `json:"completeDate,omitempty" pc:"len=1..50,pattern=date"`
	// Page is the page number, from 1. The page size is set by PayCools (undocumented).
	Page int `json:"page" pc:"required,range=1.."`
	// Status, when set, lists only records in this status (PENDING, COMPLETE, FAILED).
	Status StatementStatus `json:"status,omitempty" pc:"enum=PENDING|COMPLETE|FAILED"`
	RequestFields
}

func (p *AccountPaymentStatementParams) validate(v *validation) {
	validateStatementDates(v, p.CreateDate, p.CompleteDate)
}

// PaymentStatement is one page of the payment statement (doc 2.2). Paging totals, if
// PayCools sends any, stay in Raw.
type PaymentStatement struct {
	// Records are the collections on this page; may be empty.
	Records []PaymentRecord `json:"records"`
	ResultMeta
}

// PaymentRecord is one collection in a payment statement.
type PaymentRecord struct {
	// MerchantOrderID is the merchant's order id (≤ 32; note the long JSON name
	// merchantOrderId, elsewhere mchOrderId).
	MerchantOrderID string `json:"merchantOrderId"`
	// TransactionID is the PayCools collection transaction id, e.g. "C1175679364396181358".
	TransactionID string `json:"transactionId"`
	// PaymentMethod is the product the payer used, as display text (e.g. "QR Code").
	PaymentMethod string `json:"paymentMethod"`
	// PaymentChannel is the channel code the money came through (e.g. "GCASH_STATIC_VA").
	PaymentChannel string `json:"paymentChannel"`
	// Amount is the paid amount in minor units (centavos). PayCools sends it in pesos
	// (100.1); the SDK converts it exactly (10010).
	Amount Amount `json:"amount"`
	// Fee is the PayCools fee in minor units (centavos). PayCools sends it in pesos (10.1);
	// the SDK converts it exactly (1010).
	Fee Amount `json:"fee"`
	// Name is the payer's name.
	Name string `json:"name"`
	// Mobile is the payer's mobile number, e.g. "09123456789".
	Mobile string `json:"mobile" log:"mask"`
	// Status is the record's state (COMPLETE is decoded as TransactionStatusCompleted).
	Status TransactionStatus `json:"status"`
	// AppName is the merchant application name.
	AppName string `json:"appName"`
	// CreateTime is when the transaction was created.
	CreateTime Time `json:"createTime"`
	// CompleteTime is when the transaction completed.
	CompleteTime Time `json:"completeTime"`
	ResultMeta
}

// LogValue logs the PaymentRecord with its account, mobile and token numbers masked to the last
// four characters.
func (x PaymentRecord) LogValue() slog.Value { return maskedLogValue(x) }

// UnmarshalJSON decodes a record tolerantly, reading amount and fee in pesos.
func (r *PaymentRecord) UnmarshalJSON(data []byte) error {
	if isJSONNull(data) {
		return nil
	}
	type plain PaymentRecord
	var out plain
	err := decodeStatementRecord(data, &out, map[string]*Amount{"amount": &out.Amount, "fee": &out.Fee})
	if err != nil {
		return err
	}
	out.Raw = append(json.RawMessage(nil), bytes.TrimSpace(data)...)
	*r = PaymentRecord(out)
	return nil
}

// AccountPayoutStatementParams lists one day of the merchant's payouts (money out), one page at a
// time (doc 2.3). Set CreateDate or CompleteDate (or both).
type AccountPayoutStatementParams struct {
	// CreateDate is the day to list by payout creation date, "yyyy-MM-dd" (≤ 50 chars). One
	// of CreateDate / CompleteDate is required.
	CreateDate string `json:"createDate,omitempty" pc:"len=1..50,pattern=date"`
	// CompleteDate is the day to list by payout completion date, "yyyy-MM-dd" (≤ 50 chars).
	// One of CreateDate / CompleteDate is required.
	CompleteDate string `json:"completeDate,omitempty" pc:"len=1..50,pattern=date"`
	// Page is the page number, from 1. The page size is set by PayCools (undocumented).
	Page int `json:"page" pc:"required,range=1.."`
	// Status, when set, lists only records in this status (PENDING, COMPLETE, FAILED).
	Status StatementStatus `json:"status,omitempty" pc:"enum=PENDING|COMPLETE|FAILED"`
	RequestFields
}

func (p *AccountPayoutStatementParams) validate(v *validation) {
	validateStatementDates(v, p.CreateDate, p.CompleteDate)
}

// PayoutStatement is one page of the payout statement (doc 2.3). Paging totals, if PayCools
// sends any, stay in Raw.
type PayoutStatement struct {
	// Records are the payouts on this page; may be empty.
	Records []PayoutRecord `json:"records"`
	ResultMeta
}

// PayoutRecord is one payout in a payout statement.
type PayoutRecord struct {
	// MerchantOrderID is the merchant's payout order id (≤ 32; JSON name merchantOrderId).
	MerchantOrderID string `json:"merchantOrderId"`
	// TransactionID is the PayCools payout transaction id.
	TransactionID string `json:"transactionId"`
	// Amount is the amount paid out in minor units (centavos). PayCools sends it in pesos;
	// the SDK converts it exactly.
	Amount Amount `json:"amount"`
	// Fee is the PayCools fee in minor units (centavos). PayCools sends it in pesos; the SDK
	// converts it exactly.
	Fee Amount `json:"fee"`
	// RemittingBank is the display name of the bank the money was sent from (e.g. "Union
	// Bank").
	RemittingBank string `json:"remittingBank"`
	// RemittingAccount is the sending account, masked by PayCools (e.g. "915****5678").
	RemittingAccount string `json:"remittingAccount"`
	// RecipientName is the beneficiary's name, masked by PayCools.
	RecipientName string `json:"recipientName"`
	// RecipientAccount is the beneficiary's account or wallet number, masked by PayCools
	// (e.g. "091****6789").
	RecipientAccount string `json:"recipientAccount"`
	// ReceivingChannel is the bank or e-wallet that received the money (e.g. "GCASH").
	ReceivingChannel string `json:"receivingChannel"`
	// Status is the record's state (COMPLETE is decoded as TransactionStatusCompleted).
	Status TransactionStatus `json:"status"`
	// CreateTime is when the payout was created.
	CreateTime Time `json:"createTime"`
	// CompleteTime is when the payout completed.
	CompleteTime Time `json:"completeTime"`
	ResultMeta
}

// UnmarshalJSON decodes a record tolerantly, reading amount and fee in pesos.
func (r *PayoutRecord) UnmarshalJSON(data []byte) error {
	if isJSONNull(data) {
		return nil
	}
	type plain PayoutRecord
	var out plain
	err := decodeStatementRecord(data, &out, map[string]*Amount{"amount": &out.Amount, "fee": &out.Fee})
	if err != nil {
		return err
	}
	out.Raw = append(json.RawMessage(nil), bytes.TrimSpace(data)...)
	*r = PayoutRecord(out)
	return nil
}

// Balance reads the funds available for payouts (doc 2.1). p may be nil, which means all
// defaults; an empty CountryCode means CountryPH. A payout larger than the balance fails with
// ErrInsufficientBalance.
func (s *AccountService) Balance(ctx context.Context, p *AccountBalanceParams) (*Balance, error) {
	var q AccountBalanceParams
	if p != nil {
		q = *p
	}
	if q.CountryCode == "" {
		q.CountryCode = CountryPH
	}
	return do[Balance](ctx, s.c, OpAccountBalance, &q)
}

// PaymentStatement reads one page of the merchant's collections for one day (doc 2.2), for
// reconciliation. PaymentStatementRecords walks every page for you.
func (s *AccountService) PaymentStatement(ctx context.Context, p *AccountPaymentStatementParams) (*PaymentStatement, error) {
	return do[PaymentStatement](ctx, s.c, OpAccountPaymentStatement, p)
}

// PayoutStatement reads one page of the merchant's payouts for one day (doc 2.3), for
// reconciliation. PayoutStatementRecords walks every page for you.
func (s *AccountService) PayoutStatement(ctx context.Context, p *AccountPayoutStatementParams) (*PayoutStatement, error) {
	return do[PayoutStatement](ctx, s.c, OpAccountPayoutStatement, p)
}
