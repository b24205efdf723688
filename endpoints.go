package paycools

// This file is the one place for every endpoint path and every choice the contract (docs/ in
// this repository) marks as unconfirmed or decided. A correction is a one-line change here.

import (
	"time"
)

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

// openAPIRoutes is the open-api dialect's route table (docs/endpoints.tsv). Paths may hold
// {jsonName} placeholders, filled from the param field of that name (escaped with
// url.PathEscape; the field stays in param). It is never modified: WithEndpoint overrides go
// into the client's own copy.
var openAPIRoutes = withMoneyFacts(map[Operation]endpoint{
	OpAccountBalance:                         row("POST", "/open-api/account/balance", FormEnvelope, kindQuery, "countryCode*,timestamp*"),
	OpAccountPaymentStatement:                row("POST", "/api/v1/record/paymentList", FormEnvelope, kindQuery, "createDate,completeDate,page*,status,timestamp*"),
	OpAccountPayoutStatement:                 row("POST", "/api/v1/record/payoutList", FormEnvelope, kindQuery, "createDate,completeDate,page*,status,timestamp*"),
	OpPayoutCreate:                           row("POST", "/open-api/philippines/disbursement/transfer", FormEnvelope, kindMoney, "mchOrderId*,idempotencyId*,amount*,accountNo*,accountName*,payMethodCode*,transferCode*,remark,timestamp*"),
	OpPayoutGet:                              row("POST", "/open-api/disbursement/check", FormEnvelope, kindQuery, "mchOrderId,transactionId,countryCode*,timestamp*"),
	OpBillsPaymentCreateVirtualAccount:       row("POST", "/open-api/philippines/static/payment/generate", FormEnvelope, kindWrite, "mchOrderId*,customerName*,channelCode*,notifyUrl*,email*,mobile*,remark,timestamp*"),
	OpBillsPaymentBatchCreateVirtualAccounts: row("POST", "/api/v1/batch/paymentCode", FormEnvelope, kindWrite, "appName*,mchOrderId*,channelCode*,customerName*,email*,minAmount,maxAmount,mobile,expireTime,description,timestamp*"),
	OpBillsPaymentUpdateVirtualAccount:       row("POST", "/api/v1/batch/paymentCode/{mchOrderId}/update", FormEnvelope, kindWrite, "mchOrderId*,channelCode*,timestamp*"),
	OpBillsPaymentCashierURL:                 row("POST", "/api/v1/paymentCode/cashier", FormEnvelope, kindQuery, "mchOrderId*,timestamp*"),
	OpBillsPaymentListPayments:               row("POST", "/open-api/static/payment/code/payments", FormEnvelope, kindQuery, "mchOrderId*,startDate*,endDate*,timestamp*"),
	OpBillsPaymentCancelVirtualAccount:       row("POST", "/open-api/philippines/static/code/cancel", FormEnvelope, kindWrite, "mchOrderId*,channelCode*,timestamp*"),
	OpQRCodeCreate:                           row("POST", "/open-api/qr/generate", FormEnvelope, kindWrite, "timestamp*,channelCode*,mchOrderId*,amount,notifyUrl*,customerName,email,mobile,remark,expireSeconds"),
	OpQRCodeGet:                              row("POST", "/open-api/v2/jt/qrcode/detail", FormEnvelope, kindQuery, "timestamp*,mchOrderId*"),
	OpQRCodeListPayments:                     row("POST", "/open-api/v2/jt/qrcode/payments", FormEnvelope, kindQuery, "timestamp*,mchOrderId*,startDate*,endDate*"),
	OpQRCodeCancel:                           row("POST", "/api/v1/qrcode/cancel", FormEnvelope, kindWrite, "timestamp*,mchOrderId*"),
	OpQRCodeUpdate:                           row("POST", "/api/v1/qrcode/update", FormEnvelope, kindWrite, "timestamp*,mchOrderId*,customerName*,callbackUrl,email,remark"),
	OpBankTransferBatchCreateAccounts:        row("POST", "/api/v1/batch/paymentAccount", FormEnvelope, kindWrite, "timestamp*,appName*,mchOrderId*,channelCode*,customerName*,email,minAmount,maxAmount,mobile,expireTime,description"),
	OpBankTransferBatchUpdateAccounts:        row("POST", "/api/v1/batch/paymentAccount/{mchOrderId}/update", FormEnvelope, kindWrite, "timestamp*,mchOrderId*,channelCode*"),
	OpBankTransferListPayments:               row("GET", "/api/v1/paymentAccount/{mchOrderId}/payments", FormEnvelope, kindQuery, "timestamp*,mchOrderId*,startDate*,endDate*,channelCode"),
	OpWebPaymentCreate:                       row("POST", "/open-api/payment/generate", FormEnvelope, kindMoney, "timestamp*,mchOrderId*,amount*,countryCode*,currency*,channelType*,channelCode*,payToken,customerName,email,mobile,terminalType,osType,notifyUrl*,redirectUrl,remark"),
	OpWebPaymentGet:                          row("POST", "/open-api/payment/query", FormEnvelope, kindQuery, "timestamp*,mchOrderId,transactionId,countryCode*"),
	OpWebPaymentChannels:                     row("POST", "/open-api/payment/checkout/channel", FormEnvelope, kindQuery, "timestamp*,countryCode*"),
	OpRefundCreate:                           row("POST", "/open-api/payment/refund", FormEnvelope, kindMoney, "timestamp*,mchRefundOrderId*,originalTransactionId*,refundAmount*,refundReason,refundCallbackUrl*"),
	OpRefundListPayments:                     row("POST", "/open-api/refund/payments", FormEnvelope, kindQuery, "timestamp*,originalTransactionId,refundTransactionId"),
	OpCheckoutChannels:                       row("POST", "/open-api/payment/checkout/channel", FormEnvelope, kindQuery, "timestamp*,countryCode*"),
	OpCheckoutCreate:                         row("POST", "/open-api/payment/checkout/generate", FormEnvelope, kindMoney, "timestamp*,mchOrderId*,merchantLogo,language,countryCode*,currency*,settlementCurrency*,channelTypeList,channelCodeList,amount*,customerName*,email*,mobile*,expireSeconds,notifyUrl*,redirectUrl*,remark,virtualAccountName,goodsDetails,billingAddress"),
	OpCheckoutGet:                            row("POST", "/open-api/payment/checkout/query", FormEnvelope, kindQuery, "timestamp*,mchOrderId,checkoutId"),
	OpCheckoutClose:                          row("POST", "/open-api/payment/checkout/close", FormEnvelope, kindWrite, "timestamp*,mchOrderId,checkoutId"),
	OpDirectDebitCreateAuthorizationLink:     row("POST", "/open-api/direct/debit/token/apply", FormEnvelope, kindWrite, "timestamp*,userId*,requestId*,channelCode*,countryCode*,terminalType*,osType,notifyUrl*,redirectUrl*"),
	OpDirectDebitGetAuthorization:            row("POST", "/open-api/direct/debit/token/query", FormEnvelope, kindQuery, "timestamp*,userId*,payToken"),
	OpDirectDebitCancelAuthorization:         row("POST", "/open-api/direct/debit/token/cancel", FormEnvelope, kindWrite, "timestamp*,userId*,payToken*"),
	OpDirectDebitCreatePayment:               row("POST", "/open-api/direct/debit/pay", FormEnvelope, kindMoney, "timestamp*,mchOrderId*,amount*,channelCode*,payToken*,notifyUrl*,customerName,email,mobile,remark"),
	OpDirectDebitGetPayment:                  row("POST", "/open-api/direct/debit/detail", FormEnvelope, kindQuery, "timestamp*,mchOrderId,transactionId"),
	OpEKYCInit:                               row("POST", "/open-api/ekyc/init", FormEnvelope, kindWrite, "timestamp*,requestId*,userId*,channelCode*,notifyUrl*,redirectUrl*"),
	OpEKYCGetResult:                          row("POST", "/open-api/ekyc/query", FormEnvelope, kindQuery, "timestamp*,requestId*,userId"),
})

// phRoutes is the PH dialect's route table (docs/endpoints-ph.tsv): the same operations,
// with the body form of each row and the PH quirks of its operation. In a flat row the fields
// are exactly what the body carries: nothing else is ever added (no timestamp where it is not
// listed, no path value, no countryCode), since a host that signs a fixed field list refuses
// any extra name. The quirks, from the PH pages:
//   - 3.1 sends transferCode as bankCode for BANK and as ewalletCode for EWALLET (not at all
//     for SCANQR), and needs it for BANK and EWALLET; its own length bounds.
//   - 4.1 sends remark as description; it uses the dashboard callback URL, so notifyUrl only
//     warns. 5.1, 7.1 and 10.5 send notifyUrl as callbackUrl.
//   - 4.7 cancels every channel of the order: channelCode is refused, so that code written to
//     cancel one channel never silently cancels all of them.
//   - 7.1: open-api requires terminalType unless DIRECT_DEBIT; PH does not send it (warns).
//   - 7.2 and 10.6 look an order up by transactionId only: mchOrderId warns.
var phRoutes = withMoneyFacts(map[Operation]endpoint{
	OpAccountBalance:          row("GET", "/api/v1/account/checkBalance", FormFlat, kindQuery, ""),
	OpAccountPaymentStatement: row("POST", "/api/v1/record/paymentList", FormFlat, kindQuery, "createDate,completeDate,page*,status,timestamp*"),
	OpAccountPayoutStatement:  row("POST", "/api/v1/record/payoutList", FormFlat, kindQuery, "createDate,completeDate,page*,status,timestamp*"),
	OpPayoutCreate: row("POST", "/api/v1/payout", FormFlat, kindMoney, "appName*,mchOrderId*,idempotencyId*,amount*,accountNo*,accountName*,payMethodCode*,bankCode,ewalletCode,remark").
		sendsAs("transferCode", "bankCode", "payMethodCode", "BANK").
		sendsAs("transferCode", "ewalletCode", "payMethodCode", "EWALLET").
		requires("transferCode", "payMethodCode", "BANK", "EWALLET").
		bounds("accountName", 1, 30).bounds("remark", 1, 200),
	OpPayoutGet: row("GET", "/api/v1/payout/check", FormFlat, kindQuery, "mchOrderId*"),
	OpBillsPaymentCreateVirtualAccount: row("POST", "/api/v1/paymentCode", FormFlat, kindWrite, "appName*,mchOrderId*,channelCode*,customerName*,email*,mobile,description").
		sendsAs("remark", "description", "", "").warnsIfSet("notifyUrl").
		bounds("customerName", 1, 100).bounds("email", 1, 50),
	OpBillsPaymentBatchCreateVirtualAccounts: row("POST", "/api/v1/batch/paymentCode", FormFlat, kindWrite, "appName*,mchOrderId*,channelCode*,customerName*,email*,minAmount,maxAmount,mobile,expireTime,description"),
	OpBillsPaymentUpdateVirtualAccount:       row("POST", "/api/v1/batch/paymentCode/{mchOrderId}/update", FormFlat, kindWrite, "channelCode*"),
	OpBillsPaymentCashierURL:                 row("POST", "/api/v1/paymentCode/cashier", FormFlat, kindQuery, "mchOrderId*"),
	OpBillsPaymentListPayments:               row("GET", "/api/v1/paymentCode/{mchOrderId}/payments", FormFlat, kindQuery, "startDate*,endDate*"),
	OpBillsPaymentCancelVirtualAccount:       row("POST", "/api/v1/paymentCode/cancel", FormFlat, kindWrite, "mchOrderId*").refuses("channelCode"),
	OpQRCodeCreate: row("POST", "/api/v1/qrcode", FormFlat, kindWrite, "appName*,mchOrderId*,channelCode*,amount,customerName*,email,callbackUrl,remark,expireSeconds").
		sendsAs("notifyUrl", "callbackUrl", "", "").bounds("customerName", 1, 100).bounds("email", 1, 50),
	OpQRCodeGet:                       row("GET", "/api/v1/qrcode/detail", FormFlat, kindQuery, "mchOrderId*"),
	OpQRCodeListPayments:              row("GET", "/api/v1/qrcode/{mchOrderId}/payments", FormFlat, kindQuery, "startDate*,endDate*"),
	OpQRCodeCancel:                    row("POST", "/api/v1/qrcode/cancel", FormFlat, kindWrite, "mchOrderId*"),
	OpQRCodeUpdate:                    row("POST", "/api/v1/qrcode/update", FormFlat, kindWrite, "mchOrderId*,customerName*,callbackUrl,email,remark"),
	OpBankTransferBatchCreateAccounts: row("POST", "/api/v1/batch/paymentAccount", FormFlat, kindWrite, "appName*,mchOrderId*,channelCode*,customerName*,email,minAmount,maxAmount,mobile,expireTime,description"),
	OpBankTransferBatchUpdateAccounts: row("POST", "/api/v1/batch/paymentAccount/{mchOrderId}/update", FormFlat, kindWrite, "channelCode*"),
	OpBankTransferListPayments:        row("GET", "/api/v1/paymentAccount/{mchOrderId}/payments", FormFlat, kindQuery, "startDate*,endDate*,channelCode"),
	OpWebPaymentCreate: row("POST", "/api/v1/payment", FormFlat, kindMoney, "appName*,mchOrderId*,amount*,customerName,channelCode*,email*,mobile*,remark,callbackUrl*,redirectUrl*").
		sendsAs("notifyUrl", "callbackUrl", "", "").warnsIfSet("terminalType").
		bounds("mobile", 11, 11).bounds("redirectUrl", 1, 100),
	OpWebPaymentGet:                      row("GET", "/api/v1/payment/{transactionId}", FormFlat, kindQuery, "transactionId*").warnsIfSet("mchOrderId"),
	OpWebPaymentChannels:                 row("POST", "/api/v2/checkout/channel", FormEnvelope, kindQuery, "timestamp*,countryCode*"),
	OpRefundCreate:                       row("POST", "/api/payment/refund", FormFlat, kindMoney, "mchRefundOrderId*,originalTransactionId*,refundAmount*,refundReason,refundCallbackUrl*"),
	OpRefundListPayments:                 row("GET", "/api/refund/payments", FormFlat, kindQuery, "originalTransactionId,refundTransactionId"),
	OpCheckoutChannels:                   row("POST", "/api/v2/checkout/channel", FormEnvelope, kindQuery, "timestamp*,countryCode*"),
	OpCheckoutCreate:                     row("POST", "/api/v2/checkout/generate", FormEnvelope, kindMoney, "timestamp*,mchOrderId*,merchantLogo,language,countryCode*,currency*,settlementCurrency*,channelTypeList,channelCodeList,amount*,customerName*,email*,mobile*,expireSeconds,notifyUrl*,redirectUrl*,remark,virtualAccountName,goodsDetails,billingAddress"),
	OpCheckoutGet:                        row("POST", "/api/v2/checkout/query", FormEnvelope, kindQuery, "timestamp*,mchOrderId,checkoutId"),
	OpCheckoutClose:                      row("POST", "/api/v2/checkout/close", FormEnvelope, kindWrite, "timestamp*,mchOrderId,checkoutId"),
	OpDirectDebitCreateAuthorizationLink: row("POST", "/api/direct/debit/token/apply", FormFlat, kindWrite, "timestamp*,userId*,requestId*,channelCode*,terminalType*,osType,notifyUrl*,redirectUrl*"),
	OpDirectDebitGetAuthorization:        row("POST", "/api/direct/debit/token/query", FormFlat, kindQuery, "timestamp*,userId*,payToken"),
	OpDirectDebitCancelAuthorization:     row("POST", "/api/direct/debit/token/cancel", FormFlat, kindWrite, "timestamp*,userId*,payToken*"),
	OpDirectDebitCreatePayment: row("POST", "/api/direct/debit/pay", FormFlat, kindMoney, "appName*,timestamp*,mchOrderId*,amount*,channelCode*,payToken*,callbackUrl*,customerName,email,mobile,remark").
		sendsAs("notifyUrl", "callbackUrl", "", ""),
	OpDirectDebitGetPayment: row("POST", "/api/direct/debit/query", FormFlat, kindQuery, "timestamp*,transactionId*").warnsIfSet("mchOrderId"),
	OpEKYCInit:              row("POST", "/api/ekyc/init", FormFlat, kindWrite, "timestamp*,requestId*,userId*,channelCode*,notifyUrl*,redirectUrl*"),
	OpEKYCGetResult:         row("POST", "/api/ekyc/query", FormFlat, kindQuery, "timestamp*,requestId*,userId"),
})

// moneyCreates are the money facts of each money-moving create, the same in every dialect:
// what the outcome resolution of a create, Client.Recover, Client.Sync and the callbacks read
// the order's ids and amount by. Every kindMoney row carries its operation's entry.
var moneyCreates = map[Operation]moneyFacts{
	OpPayoutCreate:             {orderField: "mchOrderId", txnField: "transactionId", amountField: "amount"},
	OpWebPaymentCreate:         {orderField: "mchOrderId", txnField: "transactionId", amountField: "amount"},
	OpRefundCreate:             {orderField: "mchRefundOrderId", txnField: "refundTransactionId", amountField: "refundAmount"},
	OpCheckoutCreate:           {orderField: "mchOrderId", txnField: "checkoutId", amountField: "amount"},
	OpDirectDebitCreatePayment: {orderField: "mchOrderId", txnField: "transactionId", amountField: "amount"},
}

// The dialects (docs/dialects.md): everything a dialect is, one value each. A new dialect is a
// new value here, its route table above and its entry in dialects.
var (
	// openAPIDialect: every request the envelope, signed over param; envelope callbacks only.
	// Every host that is not another dialect's is open-api.
	openAPIDialect = &dialectSpec{
		dialect: DialectOpenAPI, name: "open-api", aliases: []string{"openapi"}, goName: "DialectOpenAPI",
		routes:          openAPIRoutes,
		usualForm:       FormEnvelope,
		envelopeSigning: EnvelopeSignsParam,
		callbackForms:   []NotificationForm{NotificationFormEnvelope},
		hosts:           []string{"globalapi-dev.paycools.com", "openapi.paycools.com"},
		baseURL:         BaseURLTest,
	}
	// phDialect: flat bodies on the PH paths, the envelope on /api/v2/checkout signed over
	// appId&param (the only form ever seen succeeding there; unconfirmed, `paycools probe`
	// settles it); envelope and flat callbacks (flat RSA, seen in one integration only, costs
	// nothing when the platform key is configured).
	phDialect = &dialectSpec{
		dialect: DialectPH, name: "ph", goName: "DialectPH",
		routes:          phRoutes,
		usualForm:       FormFlat,
		formExceptions:  []pathForm{{"/api/v2/checkout/", FormEnvelope}},
		envelopeSigning: EnvelopeSignsAppIDAndParam,
		callbackForms:   []NotificationForm{NotificationFormEnvelope, NotificationFormFlatSHA1, NotificationFormFlatRSA},
		hosts:           []string{"api-uat.paycools.com", "api.paycools.com", "api.paycools.com.ph"},
		hostSuffix:      ".paycools.com.ph",
		baseURL:         BaseURLPhilippinesUAT,
	}
	// dialects are every dialect the SDK speaks; the first is the dialect of unknown hosts.
	dialects = [...]*dialectSpec{openAPIDialect, phDialect}
)

var (
	// testHosts are the PayCools hosts that move no real money: the only PayCools hosts
	// WithBaseURL accepts over plain http (any other host under paycoolsDomains must be https).
	testHosts       = []string{"globalapi-dev.paycools.com", "api-uat.paycools.com"}
	paycoolsDomains = []string{"paycools.com", "paycools.com.ph", "paycools.co.id", "paycools.my"}
	// codeOneSuccessPrefix is the one path family where code 1 means success (seen only from
	// the PH host's checkout answers); anywhere else code 1 is an *APIError, so that
	// {"code":1,"message":"Insufficient balance"} on a payout never reads as success.
	codeOneSuccessPrefix = "/api/v2/checkout/"
	// requestIDHeaders are the answer headers read as PayCools' request id, first found wins
	// (unconfirmed: no edition documents one; these are the common names).
	requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Trace-Id", "Traceid"}

	// flatCallbackReply is the answer to a handled flat callback (documented on every flat
	// callback page; which reply stops redelivery is unconfirmed).
	flatCallbackReply = []byte(`{"code":1,"msg":"success","data":{}}`)
)

// Hosts (docs/envelope.md §12). PayCools hands each merchant its API domain at onboarding.
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

// Unconfirmed and decided choices of the contract (docs/envelope.md §13), one line each.
var (
	// successCodes is the success set of the response envelope on every path, in both
	// dialects: 10000 and 1000 (editions mix inside each host). Code 1 is added on the
	// codeOneSuccessPrefix path family only.
	successCodes = [...]int{CodeSuccess, CodeLegacySuccess}
	// getSendsQueryString: GET operations carry appId, param and sign as URL query
	// parameters (docs/envelope.md §5; unconfirmed).
	getSendsQueryString = true
	// repaymentAcceptCode / repaymentRefuseCode: the replies to a repayment verification
	// (docs/envelope.md §10; taken from the PH page, unconfirmed for the envelope form).
	repaymentAcceptCode, repaymentRefuseCode = VerificationAccepted, VerificationRefused
)

// Repayment verification reply codes (docs/codes.md §6), sent by RepaymentVerificationHandler.
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
	maxResponseBytes     = 10 << 20 // a longer answer is an *HTTPError (docs/envelope.md §7)
	maxNotificationBytes = 1 << 20  // a longer callback body is refused with 413 (docs/envelope.md §9)
	defaultRetries       = 2
	defaultHTTPTimeout   = 30 * time.Second
	defaultBackoffMin    = 250 * time.Millisecond
	defaultBackoffMax    = 5 * time.Second
	maxRetryAfter        = 30 * time.Second
	defaultPollMin       = 1 * time.Second
	defaultPollMax       = 10 * time.Second
)
