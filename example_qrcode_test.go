package paycools_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Create a dynamic QR Ph code for PHP 500.10 and show it to the payer. The payment result
// arrives at NotifyURL as a qrcode.payment.success or qrcode.payment.failed callback.
func ExampleQRCodeService_Create() {
	key, err := paycools.ParsePrivateKey([]byte(os.Getenv("PAYCOOLS_PRIVATE_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	c, err := paycools.NewClient(os.Getenv("PAYCOOLS_APP_ID"), key)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	qr, err := c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{
		ChannelCode:   paycools.QRChannelCodeQRPHDynamicQR, // QRChannelCodeQRPHStaticQR: leave Amount 0, the payer enters it
		MchOrderID:    "INV20240719001",
		Amount:        50010, // PHP 500.10, in centavos; at least 2000 for a dynamic QR
		NotifyURL:     "https://shop.example/paycools/callback",
		CustomerName:  "Juan Dela Cruz",
		ExpireSeconds: 900,
	})
	if errors.Is(err, paycools.ErrDuplicateOrder) {
		// This MchOrderID already has a QR: read it back instead.
		qr, err = c.QRCodes.Get(ctx, &paycools.QRCodeGetParams{MchOrderID: "INV20240719001"})
	}
	if err != nil {
		log.Fatal(err)
	}
	// Draw QRCodeContent as a QR image, or send the payer to QRLink.
	fmt.Println(qr.QRCodeContent, qr.QRLink, qr.ExpiresTime.Format(time.RFC3339))
}
