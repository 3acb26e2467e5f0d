#include "kiosk/app/qr.hpp"

#include <qrencode.h>

namespace lasr {

Result<QrCode> make_qr(std::string_view text) {
    if (text.empty()) return make_error(Domain::ui, Errc::invalid_argument, "nothing to encode in a QR code");
    if (text.size() > 1000) return make_error(Domain::ui, Errc::invalid_argument, "text too long for a QR code");
    std::string s(text);
    QRcode* q = QRcode_encodeString8bit(s.c_str(), 0, QR_ECLEVEL_M);
    if (!q) return make_error(Domain::ui, Errc::internal, "libqrencode could not encode the text");
    QrCode out;
    out.size = q->width;
    out.dark.resize(static_cast<size_t>(q->width) * static_cast<size_t>(q->width));
    for (size_t i = 0; i < out.dark.size(); ++i) out.dark[i] = q->data[i] & 1;
    QRcode_free(q);
    return out;
}

std::string tel_uri(std::string_view phone) {
    std::string out = "tel:";
    for (char c : phone)
        if ((c >= '0' && c <= '9') || c == '+') out += c;
    return out;
}

std::string map_uri(std::string_view address) {
    // A geo: URI with a query opens the phone's own map app, online or not.
    std::string out = "geo:0,0?q=";
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : address) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
        else if (c == ' ') out += '+';
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace lasr
