// row_interior.h: where a correlation row's interior lies, shared by the whole-row kernels
// (ck_separable_row in separable.c, ck_correlate_row in cconvkernels.c). PaddedRows.stretches
// cuts its Swift rows the same way.

#ifndef CK_ROW_INTERIOR_H
#define CK_ROW_INTERIOR_H

#include "cconvkernels.h"

/// Outputs `lower ..< upper` of a row's `0 ..< count`: those whose windows, `span` extended
/// columns wide, all fall inside the input; the columns before and after are the edges.
typedef struct {
    ptrdiff_t lower, upper;
} ck_interior;

static inline ck_interior ck_row_interior(const ck_row_edges *edges, ptrdiff_t span, ptrdiff_t count) {
    const ptrdiff_t lower = edges->left < count ? edges->left : count;
    ptrdiff_t upper = edges->left + edges->input_columns - span + 1;
    upper = upper > count ? count : upper;
    return (ck_interior){lower, upper < lower ? lower : upper};
}

#endif
