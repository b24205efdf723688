package paycools

// The response codes of PayCools (docs/codes.md): the success codes, one sentinel per
// documented error code, and the table of what each code means for retries and outcomes.

import "fmt"

// Success codes of the response envelope (docs/codes.md §1).
const (
	CodeSuccess       = 10000 // success; also the reply a callback handler sends
	CodeLegacySuccess = 1000  // success from older tenants and the Philippine legacy edition
	CodeHostSuccess   = 1     // success as the Philippine host answers on the checkout paths

	// CodeLegacyCallbackReply is the code a legacy (flat-form) callback reply carries.
	CodeLegacyCallbackReply = 1
)

// Transaction failure codes: the failedCode PayCools puts in a FAILED transaction's data or
// callback (docs/codes.md §5). They are untyped so that they compare with any integer field. They
// are not response codes and never produce an *APIError.
const (
	FailedCodeServiceError        = -10000 // PayCools failed internally while processing
	FailedCodeExceedLimit         = -10001 // the amount or volume limit was exceeded
	FailedCodeParams              = -10002 // a field was rejected during processing
	FailedCodeInsufficientBalance = -10003 // the balance was insufficient when processed
	FailedCodeChannelRejected     = -10004 // the bank or e-wallet rejected it
	FailedCodeDestinationAccount  = -10005 // the destination account is wrong, closed or mismatched
	FailedCodeNetworkRejected     = -10006 // a network failure towards the channel
	FailedCodeChannelTimeout      = -10007 // a channel-side failure ("Timeout" is unconfirmed)
	FailedCodeRefundFailed        = -10009 // the channel refused or failed the refund
)

type retryClass int

const (
	retryNever   retryClass = iota // sending again gets the same answer
	retryQueries                   // queries may be resent; writes must resolve their outcome first
	retryAlways                    // turned away before processing: any operation may be resent
)

type codeInfo struct {
	message        string
	also           []int
	retry          retryClass
	nothingCreated bool
}

// Sentinels, one per documented response code (docs/codes.md). errors.Is(err, ErrX) is true when
// err is or wraps an *APIError with that code, or with a legacy code documented as equivalent.
var (
	// ErrServer is code 21000: PayCools failed internally while handling the request.
	ErrServer = sentinel(21000)
	// ErrSignature is code 21001: The signature does not verify against the merchant public key registered with PayCools.
	ErrSignature = sentinel(21001)
	// ErrParam is code 21002: A field is missing, malformed or out of range. The message may name it.
	ErrParam = sentinel(21002)
	// ErrAppID is code 21003: The appId is unknown or not active.
	ErrAppID = sentinel(21003)
	// ErrMerchantUnavailable is code 21004: The merchant account is disabled.
	ErrMerchantUnavailable = sentinel(21004)
	// ErrChannelUnavailable is code 21005: The requested channel is not enabled for this merchant.
	ErrChannelUnavailable = sentinel(21005)
	// ErrTransactionNotFound is code 21006: There is no transaction for the given merchant order id or transaction id.
	ErrTransactionNotFound = sentinel(21006)
	// ErrDuplicateOrder is code 21007: The merchant order id was already used.
	ErrDuplicateOrder = sentinel(21007)
	// ErrTimestamp is code 21008: The `timestamp` in `param` is missing or unreadable.
	ErrTimestamp = sentinel(21008)
	// ErrTimestampExpired is code 21009: The `timestamp` is outside PayCools' validity window. The clock is wrong, or the request was delayed.
	ErrTimestampExpired = sentinel(21009)
	// ErrAmountExceedsLimit is code 21010: The amount is above what is allowed for this operation or channel. See the note below the table.
	ErrAmountExceedsLimit = sentinel(21010)
	// ErrNetwork is code 21011: A network failure between PayCools and the channel.
	ErrNetwork = sentinel(21011)
	// ErrBankCode is code 21012: Unknown or unsupported bank code.
	ErrBankCode = sentinel(21012)
	// ErrWalletCode is code 21013: Unknown or unsupported e-wallet code.
	ErrWalletCode = sentinel(21013)
	// ErrInsufficientBalance is code 21014: The merchant balance cannot cover the payout and its fee.
	ErrInsufficientBalance = sentinel(21014)
	// ErrDuplicateIdempotency is code 21015: The idempotency id was already used.
	ErrDuplicateIdempotency = sentinel(21015)
	// ErrIPForbidden is code 21016: The calling server's IP is not on the merchant's allow-list.
	ErrIPForbidden = sentinel(21016)
	// ErrCountryNotEnabled is code 21017: The merchant is not enabled for the requested country.
	ErrCountryNotEnabled = sentinel(21017)
	// ErrTransferCode is code 21018: Unknown or unsupported transfer code.
	ErrTransferCode = sentinel(21018)
	// ErrPayMethodCode is code 21019: Unknown or unsupported pay method code.
	ErrPayMethodCode = sentinel(21019)
	// ErrRateLimited is code 21020: Rate limit reached.
	ErrRateLimited = sentinel(21020)
	// ErrAmountInvalid is code 21021: The amount is malformed or below the minimum.
	ErrAmountInvalid = sentinel(21021)
	// ErrVolumeLimit is code 21022: A cumulative volume cap (per period) has been reached.
	ErrVolumeLimit = sentinel(21022)
	// ErrCreateFailed is code 21023: PayCools could not create the transaction.
	ErrCreateFailed = sentinel(21023)
	// ErrAccessToken is code 21024: The direct-debit token (`payToken`) is invalid, expired or cancelled.
	ErrAccessToken = sentinel(21024)
	// ErrCancelNotAllowed is code 21025: The object cannot be cancelled in its current state.
	ErrCancelNotAllowed = sentinel(21025)
	// ErrCustomerBalance is code 21026: The customer's wallet cannot cover a direct-debit charge.
	ErrCustomerBalance = sentinel(21026)
	// ErrCreationLimit is code 21027: Too many transactions have been created under a limit (count, not amount).
	ErrCreationLimit = sentinel(21027)
	// ErrAlreadyPaidOrClosed is code 21028: The transaction is already final, so it cannot be changed, closed or paid again.
	ErrAlreadyPaidOrClosed = sentinel(21028)
	// ErrRefundInProgress is code 21401: A refund of this transaction is already in progress.
	ErrRefundInProgress = sentinel(21401)
	// ErrRefundNotAllowed is code 21402: This transaction cannot be refunded.
	ErrRefundNotAllowed = sentinel(21402)
	// ErrRefundTooOld is code 21403: The original payment is older than 60 days.
	ErrRefundTooOld = sentinel(21403)
	// ErrFullRefundUnsupported is code 21404: The channel does not allow a full refund.
	ErrFullRefundUnsupported = sentinel(21404)
	// ErrPartialRefundUnsupported is code 21405: The channel does not allow a partial refund.
	ErrPartialRefundUnsupported = sentinel(21405)
	// ErrRefundAmount is code 21406: The refund amount is malformed or larger than what is refundable.
	ErrRefundAmount = sentinel(21406)
	// ErrDuplicateRefundOrder is code 21407: The merchant refund order id was already used.
	ErrDuplicateRefundOrder = sentinel(21407)
	// ErrOriginalNotCompleted is code 21408: Only a completed payment can be refunded.
	ErrOriginalNotCompleted = sentinel(21408)
	// ErrRefundPending is code 21409: Another refund of this payment is still pending.
	ErrRefundPending = sentinel(21409)
	// ErrOriginalNotSuccessful is code 21500: A reversal or void needs a successful original.
	ErrOriginalNotSuccessful = sentinel(21500)
	// ErrReverseNotAllowed is code 21501: The original cannot be reversed.
	ErrReverseNotAllowed = sentinel(21501)
	// ErrOriginalSettled is code 21502: The original is already settled, so it can no longer be voided or reversed.
	ErrOriginalSettled = sentinel(21502)
	// ErrVoidWindowClosed is code 21503: A void is allowed only on the day of the original.
	ErrVoidWindowClosed = sentinel(21503)
	// ErrOriginalTransaction is code 21504: A refusal concerning the original transaction; the exact meaning is unknown.
	ErrOriginalTransaction = sentinel(21504)
	// ErrLegacyAppID is code 1001: The appId is unknown or not active.
	ErrLegacyAppID = sentinel(1001)
	// ErrLegacyIPForbidden is code 1002: The calling IP is not on the allow-list.
	ErrLegacyIPForbidden = sentinel(1002)
	// ErrLegacySignature is code 1003: The signature does not verify.
	ErrLegacySignature = sentinel(1003)
	// ErrLegacyMerchantUnavailable is code 1004: The merchant account is disabled.
	ErrLegacyMerchantUnavailable = sentinel(1004)
	// ErrLegacyInstitutionUnavailable is code 1005: The institution the merchant belongs to is disabled.
	ErrLegacyInstitutionUnavailable = sentinel(1005)
	// ErrLegacyInsufficientBalance is code 1006: The merchant balance cannot cover the payout.
	ErrLegacyInsufficientBalance = sentinel(1006)
	// ErrLegacyAmountExceedsLimit is code 1007: The amount is above the allowed limit.
	ErrLegacyAmountExceedsLimit = sentinel(1007)
	// ErrLegacyTransactionNotFound is code 1008: There is no such transaction.
	ErrLegacyTransactionNotFound = sentinel(1008)
	// ErrLegacyParam is code 1009: A field is missing or malformed; the message says which.
	ErrLegacyParam = sentinel(1009)
	// ErrLegacyBankName is code 1010: Unknown bank.
	ErrLegacyBankName = sentinel(1010)
	// ErrLegacyChannelUnavailable is code 1011: The channel is not enabled for this merchant.
	ErrLegacyChannelUnavailable = sentinel(1011)
	// ErrLegacyDuplicateOrder is code 1012: The merchant order id was already used.
	ErrLegacyDuplicateOrder = sentinel(1012)
	// ErrLegacyRateLimited is code 1013: Rate limit reached.
	ErrLegacyRateLimited = sentinel(1013)
	// ErrLegacyDuplicateIdempotency is code 1014: The payout idempotency id was already used.
	ErrLegacyDuplicateIdempotency = sentinel(1014)
	// ErrLegacyEmail is code 1015: The email address is malformed.
	ErrLegacyEmail = sentinel(1015)
	// ErrLegacyWalletName is code 1016: Unknown e-wallet.
	ErrLegacyWalletName = sentinel(1016)
	// ErrLegacyVirtualAccountExists is code 1017: A static virtual account already exists for this order id and channel.
	ErrLegacyVirtualAccountExists = sentinel(1017)
	// ErrLegacyNetwork is code 1018: A network failure inside PayCools or towards the channel.
	ErrLegacyNetwork = sentinel(1018)
	// ErrLegacyBankTransferAccountExists is code 1019: A bank-transfer account already exists for this order id.
	ErrLegacyBankTransferAccountExists = sentinel(1019)
	// ErrLegacyQRAmountMissing is code 1020: A dynamic QR code needs an amount.
	ErrLegacyQRAmountMissing = sentinel(1020)
	// ErrLegacyOriginalNotFound is code 1501: The payment to refund was not found.
	ErrLegacyOriginalNotFound = sentinel(1501)
	// ErrLegacyRefundInProgress is code 1502: A refund of this payment is already in progress.
	ErrLegacyRefundInProgress = sentinel(1502)
	// ErrLegacyRefundSystem is code 1503: PayCools failed internally.
	ErrLegacyRefundSystem = sentinel(1503)
	// ErrLegacyAppIDMismatch is code 1504: The original payment belongs to another appId.
	ErrLegacyAppIDMismatch = sentinel(1504)
	// ErrLegacyRefundNotAllowed is code 1505: This payment cannot be refunded.
	ErrLegacyRefundNotAllowed = sentinel(1505)
	// ErrLegacyRefundExceedsRefundable is code 1506: The refund is larger than the amount still refundable.
	ErrLegacyRefundExceedsRefundable = sentinel(1506)
	// ErrLegacyRefundChannelUnsupported is code 1507: The channel cannot refund.
	ErrLegacyRefundChannelUnsupported = sentinel(1507)
	// ErrLegacyRefundOnlyOnce is code 1508: The channel allows only one refund per payment, and it has been used.
	ErrLegacyRefundOnlyOnce = sentinel(1508)
	// ErrLegacyRefundTooOld is code 1509: The payment is older than 60 days.
	ErrLegacyRefundTooOld = sentinel(1509)
	// ErrLegacyRefundNotSupported is code 1510: The same meaning as 1507 (two codes in the source).
	ErrLegacyRefundNotSupported = sentinel(1510)
	// ErrLegacyPartialRefundUnsupported is code 1511: The channel allows only full refunds.
	ErrLegacyPartialRefundUnsupported = sentinel(1511)
	// ErrLegacyFullRefundAmountMismatch is code 1512: A full refund must equal the original amount exactly.
	ErrLegacyFullRefundAmountMismatch = sentinel(1512)
	// ErrLegacyRefundAmount is code 1513: The refund amount is malformed.
	ErrLegacyRefundAmount = sentinel(1513)
	// ErrLegacyDuplicateRefundOrder is code 1515: The merchant refund order id was already used.
	ErrLegacyDuplicateRefundOrder = sentinel(1515)
	// ErrLegacyOriginalNotCompleted is code 1516: Only a completed payment can be refunded.
	ErrLegacyOriginalNotCompleted = sentinel(1516)
)

// codeTable is the one table of response codes: message, equivalents, retry class and
// whether the code proves that nothing was created (docs/codes.md §2–§4).
var codeTable = map[int]codeInfo{
	21000: {message: "Server error, Please try again later.", retry: retryQueries, nothingCreated: false},
	21001: {message: "Request sign error", retry: retryNever, nothingCreated: true},
	21002: {message: "Request param error", retry: retryNever, nothingCreated: true},
	21003: {message: "Request appId error", retry: retryNever, nothingCreated: true},
	21004: {message: "Merchant is unavailable", retry: retryNever, nothingCreated: true},
	21005: {message: "Merchant channel is unavailable", retry: retryNever, nothingCreated: true},
	21006: {message: "Merchant transaction not found", retry: retryNever, nothingCreated: true},
	21007: {message: "Duplicate merchant order id", retry: retryNever, nothingCreated: true},
	21008: {message: "Request timestamp error", retry: retryNever, nothingCreated: true},
	21009: {message: "Request timestamp error", retry: retryNever, nothingCreated: true},
	21010: {message: "The amount exceeds the limit", retry: retryNever, nothingCreated: true},
	21011: {message: "Network error", retry: retryQueries, nothingCreated: false},
	21012: {message: "Request bank code error", retry: retryNever, nothingCreated: true},
	21013: {message: "Request wallet code error", retry: retryNever, nothingCreated: true},
	21014: {message: "Merchant balance insufficient", retry: retryNever, nothingCreated: false},
	21015: {message: "Duplicate idempotencyId", retry: retryNever, nothingCreated: true},
	21016: {message: "Merchant ip forbidden", retry: retryNever, nothingCreated: true},
	21017: {message: "Merchant has not opened this national service", retry: retryNever, nothingCreated: true},
	21018: {message: "Request transfer code error", retry: retryNever, nothingCreated: true},
	21019: {message: "Request pay method code error", retry: retryNever, nothingCreated: true},
	21020: {message: "Too many requests, please retry later.", retry: retryAlways, nothingCreated: true},
	21021: {message: "Transaction Amount Invalid", retry: retryNever, nothingCreated: true},
	21022: {message: "Transaction Volume Limit", retry: retryNever, nothingCreated: false},
	21023: {message: "Transaction create failed", retry: retryNever, nothingCreated: false},
	21024: {message: "Invalid access token", retry: retryNever, nothingCreated: true},
	21025: {message: "Not allowed to cancel", retry: retryNever, nothingCreated: true},
	21026: {message: "Customer Balance not enough", retry: retryNever, nothingCreated: false},
	21027: {message: "Transaction creation exceeds limit", retry: retryNever, nothingCreated: false},
	21028: {message: "Transaction already paid or closed", retry: retryNever, nothingCreated: true},
	21401: {message: "Refund is processing", retry: retryNever, nothingCreated: true},
	21402: {message: "Not allowed to refund", retry: retryNever, nothingCreated: true},
	21403: {message: "Transactions 60 days ago cannot initiate refunds", retry: retryNever, nothingCreated: true},
	21404: {message: "The original transaction channel not support full refund", retry: retryNever, nothingCreated: true},
	21405: {message: "The original transaction channel not support partial refund", retry: retryNever, nothingCreated: true},
	21406: {message: "Refund amount invalid", retry: retryNever, nothingCreated: true},
	21407: {message: "MchRefundOrderId is repeat", retry: retryNever, nothingCreated: true},
	21408: {message: "The original transaction is not completed", retry: retryNever, nothingCreated: true},
	21409: {message: "The original transaction already exist pending refund", retry: retryNever, nothingCreated: true},
	21500: {message: "Original transaction status is not success", retry: retryNever, nothingCreated: true},
	21501: {message: "Cannot reverse", retry: retryNever, nothingCreated: true},
	21502: {message: "Original transaction has been settled", retry: retryNever, nothingCreated: true},
	21503: {message: "Cannot void over the day", retry: retryNever, nothingCreated: true},
	21504: {message: "Original tran", retry: retryNever, nothingCreated: false},
	1001:  {message: "merchant appid is invalid", also: []int{21003}, retry: retryNever, nothingCreated: true},
	1002:  {message: "merchant white ip forbidden", also: []int{21016}, retry: retryNever, nothingCreated: true},
	1003:  {message: "request sign is invalid", also: []int{21001}, retry: retryNever, nothingCreated: true},
	1004:  {message: "merchant unavailable", also: []int{21004}, retry: retryNever, nothingCreated: true},
	1005:  {message: "merchant institute unavailable", retry: retryNever, nothingCreated: true},
	1006:  {message: "merchant balance insufficient", also: []int{21014}, retry: retryNever, nothingCreated: false},
	1007:  {message: "transaction exceed limit", also: []int{21010}, retry: retryNever, nothingCreated: true},
	1008:  {message: "transaction not found", also: []int{21006}, retry: retryNever, nothingCreated: true},
	1009:  {message: "request params invalid(pls refer to the specific return message)", also: []int{21002}, retry: retryNever, nothingCreated: true},
	1010:  {message: "request bank name invalid", also: []int{21012}, retry: retryNever, nothingCreated: true},
	1011:  {message: "merchant channel unavailable", also: []int{21005}, retry: retryNever, nothingCreated: true},
	1012:  {message: "merchant order id is repeat", also: []int{21007}, retry: retryNever, nothingCreated: true},
	1013:  {message: "merchant access frequency limit", also: []int{21020}, retry: retryAlways, nothingCreated: true},
	1014:  {message: "merchant payout idempoteny repeat", also: []int{21015}, retry: retryNever, nothingCreated: true},
	1015:  {message: "request email invalid", retry: retryNever, nothingCreated: true},
	1016:  {message: "request ewallet name invalid", also: []int{21013}, retry: retryNever, nothingCreated: true},
	1017:  {message: "the static virtual account exist", retry: retryNever, nothingCreated: true},
	1018:  {message: "network failed, please retry", also: []int{21011}, retry: retryQueries, nothingCreated: false},
	1019:  {message: "the bank transfer account exist", retry: retryNever, nothingCreated: true},
	1020:  {message: "dynamic qrcode amount is null", retry: retryNever, nothingCreated: true},
	1501:  {message: "The original transaction Id not exist", retry: retryNever, nothingCreated: true},
	1502:  {message: "Refund is processing", also: []int{21401}, retry: retryNever, nothingCreated: true},
	1503:  {message: "System error, please contract Paycools", also: []int{21000}, retry: retryQueries, nothingCreated: false},
	1504:  {message: "AppId is not match", retry: retryNever, nothingCreated: true},
	1505:  {message: "Refund is not allow", also: []int{21402}, retry: retryNever, nothingCreated: true},
	1506:  {message: "The refund amount is greater than the amount that can be refunded", also: []int{21406}, retry: retryNever, nothingCreated: true},
	1507:  {message: "The original transaction channel does not support refunds", retry: retryNever, nothingCreated: true},
	1508:  {message: "The original transaction channel only allows one refund to be initiated", retry: retryNever, nothingCreated: true},
	1509:  {message: "Transactions 60 days ago cannot initiate refunds", also: []int{21403}, retry: retryNever, nothingCreated: true},
	1510:  {message: "The original transaction channel not support refund", also: []int{1507}, retry: retryNever, nothingCreated: true},
	1511:  {message: "The original transaction channel not support partial refund", also: []int{21405}, retry: retryNever, nothingCreated: true},
	1512:  {message: "The full refund transaction amount must be the same as the original transaction", retry: retryNever, nothingCreated: true},
	1513:  {message: "Refund amount invalid", also: []int{21406}, retry: retryNever, nothingCreated: true},
	1515:  {message: "Merchant refund order id is repeat", also: []int{21407}, retry: retryNever, nothingCreated: true},
	1516:  {message: "The original transaction is not completed", also: []int{21408}, retry: retryNever, nothingCreated: true},
}

// remedyOf is the one-line advice for the codes where the SDK knows what to do.
func remedyOf(e *APIError) string {
	code := e.Code
	if twin, ok := legacyTwin(code); ok {
		code = twin
	}
	switch code {
	case 21001:
		return "Remedy: the merchant public key registered with PayCools does not match this private key, or the dialect or envelope signing is wrong; run `paycools doctor`"
	case 21003:
		return "Remedy: the appId is unknown or inactive on this host; check it against the PayCools dashboard and that the base URL is the matching (test or production) host"
	case 21008, 21009:
		if e.ClockSkew != 0 {
			return fmt.Sprintf("Remedy: the request time was refused; this machine's clock is %v off PayCools' (from its Date header): sync it (NTP)", e.ClockSkew)
		}
		return "Remedy: the request time was refused; check this machine's clock (NTP) and its time zone setting"
	case 21016:
		return "Remedy: this server's public IP is not on the merchant's IP allow-list; add it in the PayCools dashboard"
	case 21007:
		return "Remedy: the merchant order id was used before; look that order up (Get by MchOrderID) instead of sending again"
	case 21015:
		return "Remedy: the idempotency id was used before; look the payout up by MchOrderID instead of sending again"
	}
	return ""
}

// legacyTwin is the open-api code a PH legacy code is documented as equivalent to.
func legacyTwin(code int) (int, bool) {
	if info, ok := codeTable[code]; ok && len(info.also) > 0 && info.also[0] >= 21000 {
		return info.also[0], true
	}
	return 0, false
}
