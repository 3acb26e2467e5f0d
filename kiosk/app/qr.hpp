// QR codes a patron can scan to take a resource away on a phone (a website,
// a phone number as tel:, an address as a map search). libqrencode is
// included only here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr {

struct QrCode {
    int size = 0;                 // modules per side
    std::vector<uint8_t> dark;    // size * size, row-major; 1 = dark module
    bool at(int x, int y) const { return dark[static_cast<size_t>(y * size + x)] != 0; }
};

// Error correction level M (15%): readable off a screen at arm's length.
Result<QrCode> make_qr(std::string_view text);

// What a resource's QR code holds: "tel:988", "https://...", or a map
// search URL for an address.
std::string tel_uri(std::string_view phone);
std::string map_uri(std::string_view address);

}  // namespace lasr
