/* Matrix multiply: n products C = A * B of 48x48 double matrices; between
 * products one column of B changes, and the diagonal of C is checksummed. */
#include "bench_programs.h"

#define MM 48

static double A[MM][MM], B[MM][MM], C[MM][MM];

BENCH_ENTRY(matmul)
{
    uint32_t s = 0x5EED1234u;
    for (int i = 0; i < MM; i++)
        for (int j = 0; j < MM; j++) {
            A[i][j] = (double)((int32_t)(bench_rand(&s) % 2001u) - 1000) / 1024.0;
            B[i][j] = (double)((int32_t)(bench_rand(&s) % 2001u) - 1000) / 512.0;
        }
    uint32_t h = 0;
    for (uint32_t r = 0; r < n; r++) {
        for (int i = 0; i < MM; i++)
            for (int j = 0; j < MM; j++) {
                double acc = 0.0;
                for (int k = 0; k < MM; k++)
                    acc += A[i][k] * B[k][j];
                C[i][j] = acc;
            }
        for (int i = 0; i < MM; i++)
            h = bench_mix(h, bench_dbits(C[i][i]));
        int col = (int)(r % MM);
        for (int i = 0; i < MM; i++)
            B[i][col] = C[i][col] * 0.0009765625 + B[i][col] * 0.5;
    }
    return h;
}
