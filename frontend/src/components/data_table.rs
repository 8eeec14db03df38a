//! What every big table of the dashboard shares: a sort state (column + direction, as the header
//! buttons and `aria-sort` show it) and the page arithmetic, so a 10,000-row table only ever puts
//! one page of rows in the DOM.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    Ascending,
    Descending,
}

impl SortDirection {
    pub fn flipped(self) -> Self {
        match self {
            SortDirection::Ascending => SortDirection::Descending,
            SortDirection::Descending => SortDirection::Ascending,
        }
    }

    /// The `aria-sort` value.
    pub fn aria(self) -> &'static str {
        match self {
            SortDirection::Ascending => "ascending",
            SortDirection::Descending => "descending",
        }
    }
}

/// Which column a table is sorted by, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SortState<C> {
    pub column: C,
    pub direction: SortDirection,
}

impl<C: PartialEq + Copy> SortState<C> {
    /// Clicking the sorted column flips it; another column starts with `first` (numbers usually
    /// descending, names ascending).
    pub fn clicked(self, column: C, first: SortDirection) -> Self {
        if self.column == column {
            Self {
                column,
                direction: self.direction.flipped(),
            }
        } else {
            Self {
                column,
                direction: first,
            }
        }
    }
}

/// The rows shown on `page` (0-based, clamped to the last page) as `first..last` (0-based, `last`
/// exclusive), and the page count.
pub fn page_bounds(total: usize, page: usize, per_page: usize) -> (usize, usize, usize) {
    let per_page = per_page.max(1);
    let pages = total.div_ceil(per_page).max(1);
    let page = page.min(pages - 1);
    let first = page * per_page;
    let last = (first + per_page).min(total);
    (first, last, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_state_flips_and_switches() {
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        enum Col {
            A,
            B,
        }
        let s = SortState {
            column: Col::A,
            direction: SortDirection::Ascending,
        };
        assert_eq!(
            s.clicked(Col::A, SortDirection::Ascending).direction,
            SortDirection::Descending
        );
        let b = s.clicked(Col::B, SortDirection::Descending);
        assert_eq!((b.column, b.direction), (Col::B, SortDirection::Descending));
    }

    #[test]
    fn page_bounds_clamp() {
        assert_eq!(page_bounds(0, 0, 50), (0, 0, 1));
        assert_eq!(page_bounds(120, 0, 50), (0, 50, 3));
        assert_eq!(page_bounds(120, 2, 50), (100, 120, 3));
        // A filter shrank the table below the current page: show the last page.
        assert_eq!(page_bounds(30, 5, 50), (0, 30, 1));
    }
}
