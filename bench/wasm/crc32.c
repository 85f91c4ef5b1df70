/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table driven, over a
 * 16 KiB pseudo-random buffer (n = passes over the buffer). */
#include "bench_programs.h"

#define CRC_BUF 16384u

static uint32_t table[256];
static uint8_t buf[CRC_BUF];

BENCH_ENTRY(crc32)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t s = 0x12345678u;
    for (uint32_t i = 0; i < CRC_BUF; i++)
        buf[i] = (uint8_t)bench_rand(&s);
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t p = 0; p < n; p++)
        for (uint32_t i = 0; i < CRC_BUF; i++)
            crc = table[(crc ^ buf[i]) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}
