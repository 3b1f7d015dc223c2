//! The one percentile convention of every figure the product reports — the timeliness
//! report's delays and the early interventions' waiting times: the nearest-rank method.
//!
//! The `p`-th percentile is the smallest value such that at least `p` % of the values are no
//! greater: the value at rank ⌈p/100 · n⌉ (at least rank 1). It is always a value that
//! occurred — a delay some deadline had, a wait some child had — so whole days stay whole
//! days, and "the median wait is 33 days" means that half of the children waited 33 days or
//! less. (Interpolating between ranks, as spreadsheets' PERCENTILE.INC does, reports values no
//! one had.)

/// The `p`-th percentile (0–100) of sorted `values` by the nearest-rank method; `None` for no
/// values.
#[must_use]
pub fn nearest_rank<T: Copy>(sorted: &[T], p: u8) -> Option<T> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let p = usize::from(p.min(100));
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_are_values_of_the_sample() {
        assert_eq!(nearest_rank::<i64>(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[3, 5, 8, 10], 50), Some(5));
        assert_eq!(nearest_rank(&[3, 5, 8, 10], 90), Some(10));
        let tens: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&tens, 50), Some(5));
        assert_eq!(nearest_rank(&tens, 90), Some(9));
        assert_eq!(nearest_rank(&tens, 91), Some(10));
        assert_eq!(nearest_rank(&tens, 0), Some(1));
        assert_eq!(nearest_rank(&tens, 100), Some(10));
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(nearest_rank(&twenty, 90), Some(18));
        // Hours as well as days: the median delay of four is the second.
        assert_eq!(nearest_rank(&[0.0, 29.67, 48.0, 148.67], 50), Some(29.67));
    }
}
