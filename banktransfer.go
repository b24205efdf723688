package paycools

import (
	"context"
	"log/slog"
	"strings"
)

// Bank transfer (doc section 6, docs/families.md). Each of the merchant's customers (its
// mchOrderId) gets a dedicated bank account per channel to pay into, as often as needed; each
// incoming transfer produces a transfer.payment.success callback to the callback URL set in the
// merchant dashboard. No open-api form exists: the Philippine paths and fields are sent in the
// envelope.

// EventTransferPaymentSuccess is the eventName of an incoming bank transfer (doc 6.4); its
// Event is a *BankTransferPaymentNotification. Only successes are notified.
const EventTransferPaymentSuccess = "transfer.payment.success"

// BankTransferChannelCode is a bank-transfer channel. The field carries a comma-joined list
// (no spaces) when several channels are requested, so any string is accepted and kept.
type BankTransferChannelCode string

// Bank-transfer channels.
const (
	// BankTransferChannelCodeInstaTransferAcc is an InstaPay transfer account (receiving bank AllBank in
	// the doc examples), the only channel supported today.
	BankTransferChannelCodeInstaTransferAcc BankTransferChannelCode = "INSTA_TRANSFER_ACC"
)

// btValidateCodeList checks a comma-joined channel list: no spaces, no empty code.
func btValidateCodeList(v *validation, field string, c BankTransferChannelCode) {
	if c == "" {
		return
	}
	if strings.ContainsAny(string(c), " \t\r\n") {
		v.add(field, "must be channel codes joined by commas without spaces")
		return
	}
	for _, s := range strings.Split(string(c), ",") {
		if s == "" {
			v.add(field, "holds an empty channel code")
			return
		}
	}
}

// BankTransferBatchCreateParams opens bank-transfer accounts for one customer, one per channel
// (doc 6.1).
type BankTransferBatchCreateParams struct {
	// AppName is the merchant's application name (1–100 characters, letters and spaces).
	AppName string `json:"appName" pc:"required,len=1..100,pattern=lettersSpaces"`
	// MchOrderID is the merchant's id for this customer's account(s), unique per customer or
	// bill (1–32 characters, letters and digits).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// ChannelCode is the channel to open an account on, or several joined by commas without
	// spaces; today only BankTransferChannelCodeInstaTransferAcc.
	ChannelCode BankTransferChannelCode `json:"channelCode" pc:"required"`
	// CustomerName is the account holder's (payer's) name, "first middle last", middle
	// optional (1–100 characters).
	CustomerName string `json:"customerName" pc:"required,len=1..100"`
	// Email is the payer's email address (1–50 characters).
	Email string `json:"email,omitempty" pc:"len=1..50,email"`
	// MinAmount is the smallest transfer accepted, in minor units (centavos, PHP 200.00 is
	// 20000); > 0 and ≤ MaxAmount when both are set. 0 means no minimum.
	MinAmount Amount `json:"minAmount,omitempty" pc:"range=1.."`
	// MaxAmount is the largest transfer accepted, in minor units (centavos, PHP 50,000.00 is
	// 5000000); > 0. 0 means no maximum.
	MaxAmount Amount `json:"maxAmount,omitempty" pc:"range=1.."`
	// Mobile is the payer's mobile number (11–14 characters, e.g. "09123456789"). LogValue
	// masks it.
	Mobile string `json:"mobile,omitempty" pc:"len=11..14,pattern=phone" log:"mask"`
	// ExpireTime is the last day the account accepts money, yyyy-MM-dd; empty means it never
	// expires.
	ExpireTime string `json:"expireTime,omitempty" pc:"pattern=date"`
	// Description is a remark for the account.
	Description string `json:"description,omitempty"`
	RequestFields
}

func (p *BankTransferBatchCreateParams) validate(v *validation) {
	btValidateCodeList(v, "channelCode", p.ChannelCode)
	vaValidateMinMax(v, p.MinAmount, p.MaxAmount)
	vaValidateCalendarDate(v, "expireTime", p.ExpireTime)
}

// LogValue logs the params with the mobile number masked (MaskAccountNumber) and only the
// names of the Extra entries.
func (p BankTransferBatchCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// BankTransferAccount is one bank account opened for a customer on one channel (doc 6.1).
type BankTransferAccount struct {
	// MchOrderID is the merchant's id of the customer (1–32 characters).
	MchOrderID string `json:"mchOrderId"`
	// ChannelCode is the channel of this account.
	ChannelCode BankTransferChannelCode `json:"channelCode"`
	// GuideURL is the guide page for this one channel.
	GuideURL string `json:"guideUrl"`
	// ReceivingBank is the bank that holds the account, e.g. "AllBank".
	ReceivingBank string `json:"receivingBank"`
	// AccountName is the account name the payer sees, e.g. "PayCools".
	AccountName string `json:"accountName"`
	// AccountNumber is the number the payer transfers to, digits, e.g. "999100000198".
	// LogValue masks it.
	AccountNumber string `json:"accountNumber" log:"mask"`
	ResultMeta
}

// LogValue logs the account with the account number masked (MaskAccountNumber) and without
// Raw.
func (a BankTransferAccount) LogValue() slog.Value {
	return maskedLogValue(a)
}

// BankTransferAccounts is the answer of 6.1 and 6.2: one guide page for all the customer's
// channels, and the accounts.
type BankTransferAccounts struct {
	// ShortLink is one guide page covering all the customer's channels (URL).
	ShortLink string `json:"shortLink"`
	// PaymentAccountList holds the accounts, one per channel.
	PaymentAccountList []BankTransferAccount `json:"paymentAccountList"`
	ResultMeta
}

// BatchCreateAccounts opens bank-transfer accounts for one customer, one per channel code (doc
// 6.1). An existing account for this MchOrderID is refused (1019,
// ErrLegacyBankTransferAccountExists): change it with BatchUpdateAccounts.
func (s *BankTransferService) BatchCreateAccounts(ctx context.Context, p *BankTransferBatchCreateParams) (*BankTransferAccounts, error) {
	return do[BankTransferAccounts](ctx, s.c, OpBankTransferBatchCreateAccounts, p)
}

// BankTransferBatchUpdateParams changes the channel list of a customer's bank-transfer accounts
// (doc 6.2).
type BankTransferBatchUpdateParams struct {
	// MchOrderID is the customer whose accounts change (1–32 characters, letters and digits).
	// It fills {mchOrderId} in the path and is also sent in param.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// ChannelCode is the channel list the customer should have: one code, or several joined
	// by commas; today only BankTransferChannelCodeInstaTransferAcc.
	ChannelCode BankTransferChannelCode `json:"channelCode" pc:"required"`
	RequestFields
}

func (p *BankTransferBatchUpdateParams) validate(v *validation) {
	btValidateCodeList(v, "channelCode", p.ChannelCode)
}

// BatchUpdateAccounts changes the channel list of a customer's bank-transfer accounts and
// returns the accounts (doc 6.2).
func (s *BankTransferService) BatchUpdateAccounts(ctx context.Context, p *BankTransferBatchUpdateParams) (*BankTransferAccounts, error) {
	return do[BankTransferAccounts](ctx, s.c, OpBankTransferBatchUpdateAccounts, p)
}

// BankTransferListPaymentsParams lists the transfers a customer's accounts received over a date
// range (doc 6.3).
type BankTransferListPaymentsParams struct {
	// MchOrderID is the customer whose transfers are listed (1–32 characters, letters and
	// digits). It fills {mchOrderId} in the path and is also sent in param.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// StartDate is the first day of the range, yyyy-MM-dd.
	StartDate string `json:"startDate" pc:"required,pattern=date"`
	// EndDate is the last day of the range, yyyy-MM-dd, not before StartDate.
	EndDate string `json:"endDate" pc:"required,pattern=date"`
	// ChannelCode keeps only transfers on these channels: one code or several joined by
	// commas. Empty means every channel.
	ChannelCode BankTransferChannelCode `json:"channelCode,omitempty"`
	RequestFields
}

func (p *BankTransferListPaymentsParams) validate(v *validation) {
	vaValidateDateRange(v, p.StartDate, p.EndDate)
	btValidateCodeList(v, "channelCode", p.ChannelCode)
}

// BankTransferPayment is one transfer received into a customer's bank-transfer account (doc
// 6.3).
type BankTransferPayment struct {
	// TransactionID is the PayCools id of the transfer.
	TransactionID string `json:"transactionId"`
	// TransactionCreateTime is when the transfer was created.
	TransactionCreateTime Time `json:"transactionCreateTime"`
	// TransactionReturnTime is when the transfer completed.
	TransactionReturnTime Time `json:"transactionReturnTime"`
	// TransactionAmount is the amount received, in minor units (centavos, PHP 500.10 is
	// 50010).
	TransactionAmount Amount `json:"transactionAmount"`
	// ChannelCode is the channel.
	ChannelCode BankTransferChannelCode `json:"channelCode"`
	// TransactionStatus is the transfer's state (COMPLETE decodes to TransactionStatusCompleted).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// Remark is the remark; may be empty.
	Remark string `json:"remark"`
	ResultMeta
}

// BankTransferPaymentList is the answer of 6.3. PayCools sends data as a JSON array; it is
// decoded into Payments and Raw keeps the array.
type BankTransferPaymentList struct {
	// Payments holds the transfers received in the date range, one per transfer.
	Payments []BankTransferPayment `json:"-" wire:"data"`
	ResultMeta
}

// ListPayments lists the transfers a customer's accounts received between two days (doc 6.3).
// It is a GET: the envelope travels as the query parameters appId, param and sign.
func (s *BankTransferService) ListPayments(ctx context.Context, p *BankTransferListPaymentsParams) (*BankTransferPaymentList, error) {
	return do[BankTransferPaymentList](ctx, s.c, OpBankTransferListPayments, p)
}

// BankTransferPaymentNotification is the callback of an incoming bank transfer (doc 6.4,
// EventTransferPaymentSuccess). One callback per transfer; deliveries repeat, so deduplicate
// on TransactionID.
type BankTransferPaymentNotification struct {
	// EventName is EventTransferPaymentSuccess.
	EventName string `json:"eventName"`
	// MchOrderID is the merchant's id of the customer account paid into (1–32 characters).
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is the PayCools id of the transfer.
	TransactionID string `json:"transactionId"`
	// Amount is the amount received, in minor units (centavos, PHP 500.10 is 50010).
	Amount Amount `json:"amount"`
	// TransactionStatus is the transfer's state (COMPLETE decodes to TransactionStatusCompleted).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CreateTime is when the transfer was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the transfer completed.
	ReturnTime Time `json:"returnTime"`
	// ChannelCode is the channel.
	ChannelCode BankTransferChannelCode `json:"channelCode"`
	// PaymentAccount is the account number that received the money (digits). LogValue masks
	// it.
	PaymentAccount string `json:"paymentAccount" log:"mask"`
	// Remark is the remark (optional).
	Remark string `json:"remark"`
	// FailedCode is the failure code, when there is one (optional).
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure reason, when there is one (optional).
	FailedMessage string `json:"failedMessage"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *BankTransferPaymentNotification) eventName() string { return e.EventName }

// LogValue logs the event with the receiving account number masked (MaskAccountNumber) and
// without Raw.
func (n BankTransferPaymentNotification) LogValue() slog.Value {
	return maskedLogValue(n)
}

func init() {
	registerEvent[BankTransferPaymentNotification](EventTransferPaymentSuccess)
}
