package io.palisade.tenant.mfa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;

/** The SVG really is a QR code of the provisioning URI: an independent reader (ZXing) decodes it back. */
class QrCodesTest {

    @Test
    void anIndependentReaderDecodesTheSvg() throws Exception {
        String uri = Totp.provisioningUri("Palisade", "ann@example.com", Totp.newSecret());
        String svg = QrCodes.svg(uri);
        Matcher viewBox = Pattern.compile("viewBox=\"0 0 (\\d+) \\d+\"").matcher(svg);
        viewBox.find();
        int modules = Integer.parseInt(viewBox.group(1));
        int scale = 4;
        int size = modules * scale;
        int[] pixels = new int[size * size];
        java.util.Arrays.fill(pixels, 0xFFFFFFFF);
        Matcher dark = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z").matcher(svg);
        while (dark.find()) {
            int x = Integer.parseInt(dark.group(1));
            int y = Integer.parseInt(dark.group(2));
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    pixels[(y * scale + dy) * size + x * scale + dx] = 0xFF000000;
                }
            }
        }
        LuminanceSource source = new RGBLuminanceSource(size, size, pixels);
        String decoded = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)),
                java.util.Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
        assertEquals(uri, decoded);
    }
}
