/* W1 contender: GD on f(x, y) = log cosh(xy), four cells per AVX2 vector, glibc's vector tanh
 * (libmvec _ZGVdN4v_tanh). Stop tests are vector compares; only when a lane stops does scalar
 * code run, handing that lane the next cell (through a shared counter), so vectors stay full
 * despite uneven work per cell. Stop rules as in w1_product.c. Prints the useful cell-steps.
 * Build: gcc -O3 -march=native -fopenmp w1_product_avx2.c -o w1_product_avx2 -lmvec -lm
 * (no fast-math). */
#include <immintrin.h>
#include <stdio.h>

__m256d _ZGVdN4v_tanh(__m256d);

enum { N_ETA = 512, N_X = 512, STEPS = 2000 };

static int take_cell(int *next) {
    int c;
#pragma omp atomic capture
    c = (*next)++;
    return c < N_ETA * N_X ? c : -1;
}

int main(void) {
    int next = 0;
    long long total = 0;
#pragma omp parallel reduction(+ : total)
    {
        double x[4], y[4], eta[4], t[4];
        int cell[4], active = 0;
        for (int j = 0; j < 4; j++) {
            cell[j] = take_cell(&next);
            t[j] = 0.0; x[j] = 0.0; y[j] = 0.0; eta[j] = 1.0;
            if (cell[j] >= 0) {
                eta[j] = 0.5 + 2.5 * (cell[j] / N_X) / (N_ETA - 1);
                x[j] = 0.1 + 1.9 * (cell[j] % N_X) / (N_X - 1);
                y[j] = 2.0;
                active++;
            }
        }
        __m256d vx = _mm256_loadu_pd(x), vy = _mm256_loadu_pd(y), ve = _mm256_loadu_pd(eta);
        __m256d vt = _mm256_loadu_pd(t);
        const __m256d tol = _mm256_set1_pd(1e-10), inf = _mm256_set1_pd(__builtin_inf());
        const __m256d radius2 = _mm256_set1_pd(1e12), one = _mm256_set1_pd(1.0);
        const __m256d steps = _mm256_set1_pd(STEPS);
        while (active > 0) {
            __m256d th = _ZGVdN4v_tanh(_mm256_mul_pd(vx, vy));
            __m256d gx = _mm256_mul_pd(th, vy), gy = _mm256_mul_pd(th, vx);
            __m256d g2 = _mm256_add_pd(_mm256_mul_pd(gx, gx), _mm256_mul_pd(gy, gy));
            /* moving: |g| finite and not below tol (checked before the update) */
            __m256d finite = _mm256_cmp_pd(g2, inf, _CMP_LT_OQ);
            __m256d moving = _mm256_and_pd(finite, _mm256_cmp_pd(_mm256_sqrt_pd(g2), tol,
                                                                 _CMP_NLT_UQ));
            __m256d nx = _mm256_sub_pd(vx, _mm256_mul_pd(ve, gx));
            __m256d ny = _mm256_sub_pd(vy, _mm256_mul_pd(ve, gy));
            vx = _mm256_blendv_pd(vx, nx, moving);
            vy = _mm256_blendv_pd(vy, ny, moving);
            vt = _mm256_add_pd(vt, _mm256_and_pd(moving, one));
            __m256d r2 = _mm256_add_pd(_mm256_mul_pd(vx, vx), _mm256_mul_pd(vy, vy));
            __m256d done = _mm256_or_pd(_mm256_cmp_pd(r2, radius2, _CMP_NLE_UQ),
                                        _mm256_cmp_pd(vt, steps, _CMP_GE_OQ));
            int stop = _mm256_movemask_pd(_mm256_or_pd(_mm256_andnot_pd(moving, _mm256_castsi256_pd(
                _mm256_set1_epi64x(-1))), _mm256_and_pd(moving, done)));
            if (!stop) continue;
            _mm256_storeu_pd(x, vx); _mm256_storeu_pd(y, vy); _mm256_storeu_pd(t, vt);
            for (int j = 0; j < 4; j++) {
                if (!(stop >> j & 1) || cell[j] < 0) continue;
                total += (long long)t[j];
                t[j] = 0.0;
                cell[j] = take_cell(&next);
                if (cell[j] >= 0) {
                    eta[j] = 0.5 + 2.5 * (cell[j] / N_X) / (N_ETA - 1);
                    x[j] = 0.1 + 1.9 * (cell[j] % N_X) / (N_X - 1);
                    y[j] = 2.0;
                } else {
                    active--;
                    x[j] = 0.0; y[j] = 0.0; eta[j] = 1.0;
                }
            }
            vx = _mm256_loadu_pd(x); vy = _mm256_loadu_pd(y); ve = _mm256_loadu_pd(eta);
            vt = _mm256_loadu_pd(t);
        }
    }
    printf("%lld\n", total);
    return 0;
}
