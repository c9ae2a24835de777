// The small-k kernels' bodies, written once over vector macros and included by smallk_sse2.c, smallk_avx2.c and
// smallk_avx512.c, each inside a `#pragma clang attribute` that compiles every function for its instruction set.
//
// The including file defines:
//   JT(name)              the name with the instruction set's suffix
//   VEC, VW               the vector type and its width in floats
//   V_ZERO(), V_SET1(s), V_LOAD(p), V_STORE(p, v)          (unaligned loads and stores)
//   V_LOADN(p, n), V_STOREN(p, v, n)                       the first n < VW lanes (the others read as 0)
//   V_FMA(a, b, c) = a * b + c, V_ADD(a, b), V_RELU(v) = (0 > v ? 0 : v), V_KEEPPOS(g, y) = (y > 0 ? g : 0)
//   FWD_RB, FWD_CB        forward register tile: rows x vectors of output channels
//   WG_KB, WG_CB          weight-gradient tile: inputs x vectors of output channels
//   IG_RB                 input-gradient tile: rows (x all the vectors of the k inputs)
// Tiles are compile-time sizes (the switches below pick the one for a remainder), so the accumulators live in
// registers.

#include <string.h>

#define JT_INLINE static inline __attribute__((always_inline))
/// Output channels per packed chunk of the weight (a multiple of every VW, and of every tile's column width).
#define JT_CHUNK 192
/// Vectors needed for the k <= JT_SMALLK_MAX_K inputs.
#define IG_KV ((JT_SMALLK_MAX_K + VW - 1) / VW)

/// Loads lanes [0, count) of p (count in 1...VW).
JT_INLINE VEC JT(load_part)(const float *p, int count) { return count == VW ? V_LOAD(p) : V_LOADN(p, count); }
JT_INLINE void JT(store_part)(float *p, VEC v, int count) {
    if (count == VW) V_STORE(p, v); else V_STOREN(p, v, count);
}

// MARK: forward

/// y[rb rows, cb vectors] = x[rb rows, k] wt[k, cb vectors] + bias, relu optional; the last vector holds `tail`
/// valid lanes.
JT_INLINE void JT(forward_tile)(const float *x, int k, const float *wt, const float *bias, float *y, int n, int rb,
                                int cb, int tail, int relu) {
    VEC acc[FWD_RB][FWD_CB];
    for (int i = 0; i < rb; i++)
        for (int j = 0; j < cb; j++) acc[i][j] = V_LOAD(bias + j * VW);
    for (int kk = 0; kk < k; kk++) {
        VEC w[FWD_CB];
        for (int j = 0; j < cb; j++) w[j] = V_LOAD(wt + kk * JT_CHUNK + j * VW);
        for (int i = 0; i < rb; i++) {
            VEC xb = V_SET1(x[i * k + kk]);
            for (int j = 0; j < cb; j++) acc[i][j] = V_FMA(xb, w[j], acc[i][j]);
        }
    }
    for (int i = 0; i < rb; i++)
        for (int j = 0; j < cb; j++) {
            VEC v = relu ? V_RELU(acc[i][j]) : acc[i][j];
            JT(store_part)(y + i * n + j * VW, v, j == cb - 1 ? tail : VW);
        }
}

#define JT_FWD(RB, CB) JT(forward_tile)(x, k, wt, bias, y, n, RB, CB, tail, relu)
#if FWD_CB == 4
#define JT_FWD_CB(RB) \
    switch (cb) { case 1: JT_FWD(RB, 1); break; case 2: JT_FWD(RB, 2); break; case 3: JT_FWD(RB, 3); break; \
                  default: JT_FWD(RB, 4); }
#elif FWD_CB == 3
#define JT_FWD_CB(RB) \
    switch (cb) { case 1: JT_FWD(RB, 1); break; case 2: JT_FWD(RB, 2); break; default: JT_FWD(RB, 3); }
#else
#error "FWD_CB must be 3 or 4"
#endif

static void JT(forward_rows)(const float *x, int k, const float *wt, const float *bias, float *y, int n, int rb,
                             int cb, int tail, int relu) {
    switch (rb) {
    case 1: JT_FWD_CB(1); break;
    case 2: JT_FWD_CB(2); break;
    case 3: JT_FWD_CB(3); break;
#if FWD_RB > 4
    case 4: JT_FWD_CB(4); break;
    case 5: JT_FWD_CB(5); break;
#endif
    default: JT_FWD_CB(FWD_RB);
    }
}

void JT(jt_smallk_forward)(const float *x, const float *w, const float *bias, float *y, long rows, int k, int n,
                           int relu) {
    float wt[JT_SMALLK_MAX_K * JT_CHUNK], bt[JT_CHUNK];
    const int width = FWD_CB * VW;
    for (int c0 = 0; c0 < n; c0 += JT_CHUNK) {
        const int nc = n - c0 < JT_CHUNK ? n - c0 : JT_CHUNK;
        // wt[k, chunk] = the chunk's rows of w, transposed; zeros beyond the chunk's channels.
        memset(wt, 0, sizeof wt);
        for (int c = 0; c < nc; c++)
            for (int kk = 0; kk < k; kk++) wt[kk * JT_CHUNK + c] = w[(long)(c0 + c) * k + kk];
        memset(bt, 0, sizeof bt);
        if (bias) memcpy(bt, bias + c0, sizeof(float) * nc);
        for (long r0 = 0; r0 < rows; r0 += FWD_RB) {
            const int rb = rows - r0 < FWD_RB ? (int)(rows - r0) : FWD_RB;
            for (int j0 = 0; j0 < nc; j0 += width) {
                const int cols = nc - j0 < width ? nc - j0 : width;
                const int cb = (cols + VW - 1) / VW, tail = cols - (cb - 1) * VW;
                JT(forward_rows)(x + r0 * k, k, wt + j0, bt + j0, y + r0 * n + c0 + j0, n, rb, cb, tail, relu);
            }
        }
    }
}

// MARK: weight and bias gradients

/// Over all rows: dwt[kb inputs from k0, cb vectors] = gp^T x and (when dbt) dbt[cb vectors] = column sums of
/// gp, gp = g (masked by y > 0 when y), written to dpre when given.
JT_INLINE void JT(weight_tile)(const float *x, int k, int k0, const float *g, const float *y, float *dpre, int n,
                               long rows, int kb, int cb, int tail, float *dwt, float *dbt) {
    VEC acc[WG_KB][WG_CB], bacc[WG_CB];
    for (int j = 0; j < cb; j++) {
        bacc[j] = V_ZERO();
        for (int kk = 0; kk < kb; kk++) acc[kk][j] = V_ZERO();
    }
    for (long r = 0; r < rows; r++) {
        VEC gv[WG_CB];
        for (int j = 0; j < cb; j++) {
            const int count = j == cb - 1 ? tail : VW;
            gv[j] = JT(load_part)(g + r * n + j * VW, count);
            if (y) gv[j] = V_KEEPPOS(gv[j], JT(load_part)(y + r * n + j * VW, count));
            if (dpre) JT(store_part)(dpre + r * n + j * VW, gv[j], count);
            if (dbt) bacc[j] = V_ADD(bacc[j], gv[j]);
        }
        for (int kk = 0; kk < kb; kk++) {
            VEC xb = V_SET1(x[r * k + k0 + kk]);
            for (int j = 0; j < cb; j++) acc[kk][j] = V_FMA(xb, gv[j], acc[kk][j]);
        }
    }
    for (int j = 0; j < cb; j++) {
        if (dbt) V_STORE(dbt + j * VW, bacc[j]);
        for (int kk = 0; kk < kb; kk++) V_STORE(dwt + (k0 + kk) * JT_CHUNK + j * VW, acc[kk][j]);
    }
}

#define JT_WG(KB, CB) JT(weight_tile)(x, k, k0, g, y, dpre, n, rows, KB, CB, tail, dwt, dbt)
#if WG_CB == 3
#define JT_WG_CB(KB) \
    switch (cb) { case 1: JT_WG(KB, 1); break; case 2: JT_WG(KB, 2); break; default: JT_WG(KB, 3); }
#elif WG_CB == 2
#define JT_WG_CB(KB) switch (cb) { case 1: JT_WG(KB, 1); break; default: JT_WG(KB, 2); }
#else
#error "WG_CB must be 2 or 3"
#endif

static void JT(weight_rows)(const float *x, int k, int k0, const float *g, const float *y, float *dpre, int n,
                            long rows, int kb, int cb, int tail, float *dwt, float *dbt) {
    switch (kb) {
    case 1: JT_WG_CB(1); break;
    case 2: JT_WG_CB(2); break;
    case 3: JT_WG_CB(3); break;
    case 4: JT_WG_CB(4); break;
#if WG_KB > 5
    case 5: JT_WG_CB(5); break;
    case 6: JT_WG_CB(6); break;
    case 7: JT_WG_CB(7); break;
    case 8: JT_WG_CB(8); break;
    case 9: JT_WG_CB(9); break;
    case 10: JT_WG_CB(10); break;
    case 11: JT_WG_CB(11); break;
#endif
    default: JT_WG_CB(WG_KB);
    }
}

void JT(jt_smallk_weight_gradient)(const float *x, const float *g, const float *y, float *dpre, int returns_dpre,
                                   float *dw, float *db, long rows, int k, int n, int accumulate) {
    if (!returns_dpre && (k <= WG_KB || !y)) dpre = NULL;  // one pass, or nothing to mask: no scratch needed
    float dwt[JT_SMALLK_MAX_K * JT_CHUNK], dbt[JT_CHUNK];
    const int width = WG_CB * VW;
    for (int c0 = 0; c0 < n; c0 += JT_CHUNK) {
        const int nc = n - c0 < JT_CHUNK ? n - c0 : JT_CHUNK;
        for (int j0 = 0; j0 < nc; j0 += width) {
            const int cols = nc - j0 < width ? nc - j0 : width;
            const int cb = (cols + VW - 1) / VW, tail = cols - (cb - 1) * VW;
            for (int k0 = 0; k0 < k; k0 += WG_KB) {
                const int kb = k - k0 < WG_KB ? k - k0 : WG_KB;
                // The first input block also takes the bias sums and writes gp; the others read gp back from
                // dpre (when there is one) instead of masking g again.
                const int first = k0 == 0, reread = !first && dpre;
                JT(weight_rows)(x, k, k0, (reread ? dpre : g) + c0 + j0, y && !reread ? y + c0 + j0 : NULL,
                                first && dpre ? dpre + c0 + j0 : NULL, n, rows, kb, cb, tail, dwt + j0,
                                first && db ? dbt + j0 : NULL);
            }
        }
        for (int c = 0; c < nc; c++) {
            float *row = dw + (long)(c0 + c) * k;
            for (int kk = 0; kk < k; kk++) row[kk] = accumulate ? row[kk] + dwt[kk * JT_CHUNK + c] : dwt[kk * JT_CHUNK + c];
            if (db) db[c0 + c] = accumulate ? db[c0 + c] + dbt[c] : dbt[c];
        }
    }
}

// MARK: input gradient

/// dx[rb rows, kv vectors] (+)= g[rb rows, channels c0 ..< c0 + nc] wp[nc, kv vectors]; the last vector holds
/// `tail` valid lanes; `first`: overwrite, else add to dx.
JT_INLINE void JT(input_tile)(const float *g, int n, const float *wp, int nc, float *dx, int k, int rb, int kv,
                              int tail, int first) {
    VEC acc[IG_RB][IG_KV];
    for (int i = 0; i < rb; i++)
        for (int j = 0; j < kv; j++)
            acc[i][j] = first ? V_ZERO() : JT(load_part)(dx + i * k + j * VW, j == kv - 1 ? tail : VW);
    for (int c = 0; c < nc; c++) {
        VEC gb[IG_RB];
        for (int i = 0; i < rb; i++) gb[i] = V_SET1(g[i * n + c]);
        for (int j = 0; j < kv; j++) {
            VEC w = V_LOAD(wp + c * (IG_KV * VW) + j * VW);
            for (int i = 0; i < rb; i++) acc[i][j] = V_FMA(gb[i], w, acc[i][j]);
        }
    }
    for (int i = 0; i < rb; i++)
        for (int j = 0; j < kv; j++) JT(store_part)(dx + i * k + j * VW, acc[i][j], j == kv - 1 ? tail : VW);
}

#define JT_IG(RB, KV) JT(input_tile)(g, n, wp, nc, dx, k, RB, KV, tail, first)
#if IG_KV == 6
#define JT_IG_KV(RB) \
    switch (kv) { case 1: JT_IG(RB, 1); break; case 2: JT_IG(RB, 2); break; case 3: JT_IG(RB, 3); break; \
                  case 4: JT_IG(RB, 4); break; case 5: JT_IG(RB, 5); break; default: JT_IG(RB, 6); }
#elif IG_KV == 3
#define JT_IG_KV(RB) \
    switch (kv) { case 1: JT_IG(RB, 1); break; case 2: JT_IG(RB, 2); break; default: JT_IG(RB, 3); }
#elif IG_KV == 2
#define JT_IG_KV(RB) switch (kv) { case 1: JT_IG(RB, 1); break; default: JT_IG(RB, 2); }
#else
#error "unexpected IG_KV"
#endif

static void JT(input_rows)(const float *g, int n, const float *wp, int nc, float *dx, int k, int rb, int kv, int tail,
                           int first) {
    switch (rb) {
    case 1: JT_IG_KV(1); break;
#if IG_RB > 2
    case 2: JT_IG_KV(2); break;
    case 3: JT_IG_KV(3); break;
#endif
#if IG_RB > 4
    case 4: JT_IG_KV(4); break;
    case 5: JT_IG_KV(5); break;
    case 6: JT_IG_KV(6); break;
    case 7: JT_IG_KV(7); break;
#endif
    default: JT_IG_KV(IG_RB);
    }
}

void JT(jt_smallk_input_gradient)(const float *g, const float *w, float *dx, long rows, int k, int n) {
    float wp[JT_CHUNK * IG_KV * VW];
    const int kv = (k + VW - 1) / VW, tail = k - (kv - 1) * VW;
    for (int c0 = 0; c0 < n; c0 += JT_CHUNK) {
        const int nc = n - c0 < JT_CHUNK ? n - c0 : JT_CHUNK;
        // wp[chunk, k padded to IG_KV vectors] = the chunk's rows of w.
        memset(wp, 0, sizeof wp);
        for (int c = 0; c < nc; c++) memcpy(wp + c * (IG_KV * VW), w + (long)(c0 + c) * k, sizeof(float) * k);
        for (long r0 = 0; r0 < rows; r0 += IG_RB) {
            const int rb = rows - r0 < IG_RB ? (int)(rows - r0) : IG_RB;
            JT(input_rows)(g + r0 * n + c0, n, wp, nc, dx + r0 * k, k, rb, kv, tail, c0 == 0);
        }
    }
}
