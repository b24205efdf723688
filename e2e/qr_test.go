package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

var (
	qrImageRE   = regexp.MustCompile(`<img class="qr" src="data:image/png;base64,([^"]+)"`)
	qrContentRE = regexp.MustCompile(`<dt>QR content</dt><dd>([^<]*)</dd>`)
)

// scanQR decodes the QR image of a data: URL's base64 PNG, as a phone's scanner would.
func scanQR(t *testing.T, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("the QR image does not scan: %v", err)
	}
	return res.GetText()
}

// The QR page shows an image that scans to the QR code's content (qrCodeContent), for static
// and dynamic codes and order ids of every length. No browser needed: a ZXing port decodes it.
func TestQRPageImageScansToTheContent(t *testing.T) {
	srv := paycoolstest.New(t)
	c := srv.Client()
	for i, id := range []string{"Q", "QR12345", strings.Repeat("Q", 20), strings.Repeat("Z", 32)} {
		p := &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHStaticQR, MchOrderID: id, NotifyURL: "http://127.0.0.1:1/n", CustomerName: "Juan"}
		if i%2 == 1 {
			p.ChannelCode, p.Amount = paycools.QRChannelCodeQRPHDynamicQR, 123456789
		}
		q, err := c.QRCodes.Create(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(q.QRLink)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		img, content := qrImageRE.FindSubmatch(body), qrContentRE.FindSubmatch(body)
		if img == nil || content == nil {
			t.Fatalf("%s: no QR image or content on the page:\n%s", id, body)
		}
		want := html.UnescapeString(string(content[1]))
		if want != q.QRCodeContent {
			t.Errorf("%s: the page shows content %q, the API %q", id, want, q.QRCodeContent)
		}
		if got := scanQR(t, html.UnescapeString(string(img[1]))); got != q.QRCodeContent {
			t.Errorf("%s: the image scans to %q, want %q", id, got, q.QRCodeContent)
		}
	}
}
