package paycools

// This file is the one place for every endpoint path and every choice the contract
// (../shared/spec) marks as unconfirmed or decided. A correction is a one-line change here.

import "time"

// Operation names one PayCools operation, as "Service.Method" (e.g. "Payouts.Create"). It keys
// the endpoint table that WithEndpoint overrides, and it appears in errors and log lines.
type Operation string

// Every PayCools operation, with the section of the API documentation it implements.
const (
	OpAccountBalance                         Operation = "Account.Balance"                         // doc section 2.1
	OpAccountPaymentStatement                Operation = "Account.PaymentStatement"                // doc section 2.2
	OpAccountPayoutStatement                 Operation = "Account.PayoutStatement"                 // doc section 2.3
	OpPayoutCreate                           Operation = "Payouts.Create"                          // doc section 3.1
	OpPayoutGet                              Operation = "Payouts.Get"                             // doc section 3.2
	OpBillsPaymentCreateVirtualAccount       Operation = "BillsPayment.CreateVirtualAccount"       // doc section 4.1
	OpBillsPaymentBatchCreateVirtualAccounts Operation = "BillsPayment.BatchCreateVirtualAccounts" // doc section 4.2
	OpBillsPaymentUpdateVirtualAccount       Operation = "BillsPayment.UpdateVirtualAccount"       // doc section 4.3
	OpBillsPaymentCashierURL                 Operation = "BillsPayment.CashierURL"                 // doc section 4.4
	OpBillsPaymentListPayments               Operation = "BillsPayment.ListPayments"               // doc section 4.5
	OpBillsPaymentCancelVirtualAccount       Operation = "BillsPayment.CancelVirtualAccount"       // doc section 4.7
	OpQRCodeCreate                           Operation = "QRCodes.Create"                          // doc section 5.1
	OpQRCodeGet                              Operation = "QRCodes.Get"                             // doc section 5.2
	OpQRCodeListPayments                     Operation = "QRCodes.ListPayments"                    // doc section 5.3
	OpQRCodeCancel                           Operation = "QRCodes.Cancel"                          // doc section 5.4
	OpQRCodeUpdate                           Operation = "QRCodes.Update"                          // doc section 5.6
	OpBankTransferBatchCreateAccounts        Operation = "BankTransfers.BatchCreateAccounts"       // doc section 6.1
	OpBankTransferBatchUpdateAccounts        Operation = "BankTransfers.BatchUpdateAccounts"       // doc section 6.2
	OpBankTransferListPayments               Operation = "BankTransfers.ListPayments"              // doc section 6.3
	OpWebPaymentCreate                       Operation = "WebPayments.Create"                      // doc section 7.1
	OpWebPaymentGet                          Operation = "WebPayments.Get"                         // doc section 7.2
	OpWebPaymentChannels                     Operation = "WebPayments.Channels"                    // doc section 7.3
	OpRefundCreate                           Operation = "Refunds.Create"                          // doc section 8.1
	OpRefundListPayments                     Operation = "Refunds.ListPayments"                    // doc section 8.2
	OpCheckoutChannels                       Operation = "Checkout.Channels"                       // doc section 9.1
	OpCheckoutCreate                         Operation = "Checkout.Create"                         // doc section 9.2
	OpCheckoutGet                            Operation = "Checkout.Get"                            // doc section 9.3
	OpCheckoutClose                          Operation = "Checkout.Close"                          // doc section 9.4
	OpDirectDebitCreateAuthorizationLink     Operation = "DirectDebit.CreateAuthorizationLink"     // doc section 10.1
	OpDirectDebitGetAuthorization            Operation = "DirectDebit.GetAuthorization"            // doc section 10.2
	OpDirectDebitCancelAuthorization         Operation = "DirectDebit.CancelAuthorization"         // doc section 10.3
	OpDirectDebitCreatePayment               Operation = "DirectDebit.CreatePayment"               // doc section 10.5
	OpDirectDebitGetPayment                  Operation = "DirectDebit.GetPayment"                  // doc section 10.6
	OpEKYCInit                               Operation = "EKYC.Init"                               // doc section 11.1
	OpEKYCGetResult                          Operation = "EKYC.GetResult"                          // doc section 11.2
)

// operationKind tells the retry and reconcile rules what an operation does.
type operationKind int

const (
	kindQuery operationKind = iota // read-only: balance, statements, status, lists
	kindWrite                      // creates, updates, cancels or closes something
	kindMoney                      // a write that moves money; reconciled on an unknown outcome
)

// endpoint is the method, path and kind of one operation.
type endpoint struct {
	method string
	path   string
	kind   operationKind
}

// endpoints is the operation table (endpoints.tsv). Paths may hold {jsonName} placeholders,
// filled from the param field of that name (escaped with url.PathEscape; the field stays in
// param). It is never modified: WithEndpoint overrides go into the client's own copy.
var endpoints = map[Operation]endpoint{
	OpAccountBalance:                         {"POST", "/open-api/account/balance", kindQuery},
	OpAccountPaymentStatement:                {"POST", "/api/v1/record/paymentList", kindQuery},
	OpAccountPayoutStatement:                 {"POST", "/api/v1/record/payoutList", kindQuery},
	OpPayoutCreate:                           {"POST", "/open-api/philippines/disbursement/transfer", kindMoney},
	OpPayoutGet:                              {"POST", "/open-api/disbursement/check", kindQuery},
	OpBillsPaymentCreateVirtualAccount:       {"POST", "/open-api/philippines/static/payment/generate", kindWrite},
	OpBillsPaymentBatchCreateVirtualAccounts: {"POST", "/api/v1/batch/paymentCode", kindWrite},
	OpBillsPaymentUpdateVirtualAccount:       {"POST", "/api/v1/batch/paymentCode/{mchOrderId}/update", kindWrite},
	OpBillsPaymentCashierURL:                 {"POST", "/api/v1/paymentCode/cashier", kindQuery},
	OpBillsPaymentListPayments:               {"POST", "/open-api/static/payment/code/payments", kindQuery},
	OpBillsPaymentCancelVirtualAccount:       {"POST", "/open-api/philippines/static/code/cancel", kindWrite},
	OpQRCodeCreate:                           {"POST", "/open-api/qr/generate", kindWrite},
	OpQRCodeGet:                              {"POST", "/open-api/v2/jt/qrcode/detail", kindQuery},
	OpQRCodeListPayments:                     {"POST", "/open-api/v2/jt/qrcode/payments", kindQuery},
	OpQRCodeCancel:                           {"POST", "/api/v1/qrcode/cancel", kindWrite},
	OpQRCodeUpdate:                           {"POST", "/api/v1/qrcode/update", kindWrite},
	OpBankTransferBatchCreateAccounts:        {"POST", "/api/v1/batch/paymentAccount", kindWrite},
	OpBankTransferBatchUpdateAccounts:        {"POST", "/api/v1/batch/paymentAccount/{mchOrderId}/update", kindWrite},
	OpBankTransferListPayments:               {"GET", "/api/v1/paymentAccount/{mchOrderId}/payments", kindQuery},
	OpWebPaymentCreate:                       {"POST", "/open-api/payment/generate", kindMoney},
	OpWebPaymentGet:                          {"POST", "/open-api/payment/query", kindQuery},
	OpWebPaymentChannels:                     {"POST", "/open-api/payment/checkout/channel", kindQuery},
	OpRefundCreate:                           {"POST", "/open-api/payment/refund", kindMoney},
	OpRefundListPayments:                     {"POST", "/open-api/refund/payments", kindQuery},
	OpCheckoutChannels:                       {"POST", "/open-api/payment/checkout/channel", kindQuery},
	OpCheckoutCreate:                         {"POST", "/open-api/payment/checkout/generate", kindMoney},
	OpCheckoutGet:                            {"POST", "/api/v2/checkout/query", kindQuery},
	OpCheckoutClose:                          {"POST", "/api/v2/checkout/close", kindWrite},
	OpDirectDebitCreateAuthorizationLink:     {"POST", "/open-api/direct/debit/token/apply", kindWrite},
	OpDirectDebitGetAuthorization:            {"POST", "/open-api/direct/debit/token/query", kindQuery},
	OpDirectDebitCancelAuthorization:         {"POST", "/open-api/direct/debit/token/cancel", kindWrite},
	OpDirectDebitCreatePayment:               {"POST", "/open-api/direct/debit/pay", kindMoney},
	OpDirectDebitGetPayment:                  {"POST", "/open-api/direct/debit/detail", kindQuery},
	OpEKYCInit:                               {"POST", "/open-api/ekyc/init", kindWrite},
	OpEKYCGetResult:                          {"POST", "/open-api/ekyc/query", kindQuery},
}

// Hosts (wire.md §12). PayCools hands each merchant its API domain at onboarding.
const (
	// BaseURLTest is the open-api test host, the SDK default, so that a new integration never
	// moves real money by accident.
	BaseURLTest = "https://globalapi-dev.paycools.com:8902"
	// BaseURLProduction is the open-api production host.
	BaseURLProduction = "https://openapi.paycools.com"
	// BaseURLPhilippinesUAT is the Philippine UAT host.
	BaseURLPhilippinesUAT = "https://api-uat.paycools.com"
	// BaseURLPhilippinesProduction is the Philippine production host seen in public
	// integrations. Unconfirmed: PayCools says to ask them for it.
	BaseURLPhilippinesProduction = "https://api.paycools.com.ph"
)

// Unconfirmed and decided choices of the contract (wire.md §13), one line each.
var (
	// successCodes is the success set of the response envelope: 10000, 1000 (older tenants)
	// and 1 (seen once from the PH host on checkout paths; unconfirmed).
	successCodes = [...]int{CodeSuccess, CodeLegacySuccess, CodeHostSuccess}
	// getSendsQueryString: GET operations carry appId, param and sign as URL query
	// parameters (wire.md §5; unconfirmed).
	getSendsQueryString = true
	// repaymentAcceptCode / repaymentRefuseCode: the replies to a repayment verification
	// (wire.md §10; taken from the PH page, unconfirmed for the envelope form).
	repaymentAcceptCode, repaymentRefuseCode = VerificationAccepted, VerificationRefused
)

// Repayment verification reply codes (codes.md §6), sent by RepaymentVerificationHandler.
const (
	VerificationAccepted            = 2000 // accept: PayCools may collect the payment
	VerificationRefused             = 1000 // refuse, general reason
	VerificationRefusedInvalidParam = 1001 // refuse: a field is wrong, e.g. unknown reference number
	VerificationRefusedAmountLimit  = 1002 // refuse: the amount is over the limit
)

// DefaultTimestampWindow is how far a request timestamp may be from PayCools' clock before it
// answers 21009. One Philippine page says 2 minutes; the others say nothing (unconfirmed).
const DefaultTimestampWindow = 2 * time.Minute

// Sizes and defaults of the request path.
const (
	maxResponseBytes     = 10 << 20 // a longer answer is an *HTTPError (wire.md §7)
	maxNotificationBytes = 1 << 20  // a longer callback body is refused with 413 (wire.md §9)
	defaultRetries       = 2
	defaultHTTPTimeout   = 30 * time.Second
	defaultBackoffMin    = 250 * time.Millisecond
	defaultBackoffMax    = 5 * time.Second
	maxRetryAfter        = 30 * time.Second
	defaultPollMin       = 1 * time.Second
	defaultPollMax       = 10 * time.Second
)
