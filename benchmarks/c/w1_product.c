/* W1 contender: GD on f(x, y) = log cosh(xy), one cell per (eta, x0), OpenMP over cells.
 * Stop before the update when |grad| < tol; diverged when non-finite or x^2+y^2 > 1e12.
 * Build: gcc -O3 -march=native -fopenmp w1_product.c -o w1_product -lm (no fast-math). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n_eta = 512, n_x = 512, steps = 2000;
    double tol = 1e-10;
    long long total = 0;
    double t0 = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(+ : total)
    for (int c = 0; c < n_eta * n_x; c++) {
        double eta = 0.5 + 2.5 * (c / n_x) / (n_eta - 1);
        double x = 0.1 + 1.9 * (c % n_x) / (n_x - 1), y = 2.0;
        int t = 0;
        for (; t < steps; t++) {
            double th = tanh(x * y);
            double gx = th * y, gy = th * x;
            if (!(isfinite(gx) && isfinite(gy))) break;
            if (sqrt(gx * gx + gy * gy) < tol) break;
            x -= eta * gx;
            y -= eta * gy;
            if (!(isfinite(x) && isfinite(y)) || x * x + y * y > 1e12) { t++; break; }
        }
        total += t;
    }
    (void)t0;
    printf("%lld\n", total);
    return 0;
}
