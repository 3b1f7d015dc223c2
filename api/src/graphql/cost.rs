//! What an operation may cost, checked as soon as it is parsed — before it is validated or
//! runs any SQL.
//!
//! Depth and field counts alone let a 108 kB document of a thousand aliased
//! `cases(first: 100)` through, or six nested lists in 199 bytes. The cost here follows what
//! the server would have to produce: every selected field counts 1, and the selection under a
//! list counts once per element it may return — a connection's `edges`/`nodes` by the page
//! size asked for (`first`, default 20, at most 100), any other list by [`CostLimits::list_bound`].
//! Introspection counts one per field, unmultiplied: GraphiQL's introspection query is cheap to
//! answer. Aliases are limited on their own ([`CostLimits::max_aliases`]).
//!
//! Refused operations get `extensions.code` `QUERY_TOO_COMPLEX` (with `cost` and `limit`) or
//! `TOO_MANY_ALIASES` (with `aliases` and `limit`). Strings holding control characters (a NUL
//! byte above all) are refused here too, by field, before any database sees them
//! ([`check_strings`]).

use std::collections::HashSet;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{ErrorExtensionValues, Name, ServerError, ServerResult, Variables};
use async_graphql_value::Value;

/// The limits an operation is checked against.
#[derive(Debug, Clone, Copy)]
pub struct CostLimits {
    /// The most an operation may cost.
    pub max_cost: u64,
    /// The most aliased fields an operation may hold.
    pub max_aliases: usize,
    /// What a list without a page size is taken to hold.
    pub list_bound: u64,
}

/// A connection's page size when `first` is not given.
pub const DEFAULT_PAGE: u64 = 20;
/// The largest page a connection returns.
pub const MAX_PAGE: u64 = 100;
/// How deep fragments may nest inside each other before the document is refused.
const MAX_FRAGMENT_NESTING: usize = 32;

impl Default for CostLimits {
    fn default() -> Self {
        Self {
            max_cost: 50_000,
            max_aliases: 50,
            list_bound: 20,
        }
    }
}

/// What an operation costs, and how many aliases it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// The cost of its most expensive operation.
    pub cost: u64,
    /// Its aliased fields, in all operations and fragments.
    pub aliases: usize,
}

/// Checks `document` against `limits`.
///
/// # Errors
/// A [`ServerError`] with `QUERY_TOO_COMPLEX` or `TOO_MANY_ALIASES`.
pub fn check(
    registry: &Registry,
    document: &ExecutableDocument,
    variables: &Variables,
    limits: CostLimits,
) -> ServerResult<Measured> {
    let measured = measure(registry, document, variables, limits.list_bound)?;
    if measured.aliases > limits.max_aliases {
        let mut error = ServerError::new(
            format!(
                "the operation holds {} aliased fields; at most {} are allowed",
                measured.aliases, limits.max_aliases
            ),
            None,
        );
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", "TOO_MANY_ALIASES");
        ext.set("aliases", measured.aliases);
        ext.set("limit", limits.max_aliases);
        error.extensions = Some(ext);
        return Err(error);
    }
    if measured.cost > limits.max_cost {
        let mut error = ServerError::new(
            format!(
                "the operation would cost {}, more than the {} allowed: ask for smaller pages \
                 (`first`) or fewer nested lists",
                measured.cost, limits.max_cost
            ),
            None,
        );
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", "QUERY_TOO_COMPLEX");
        ext.set("cost", measured.cost);
        ext.set("limit", limits.max_cost);
        error.extensions = Some(ext);
        return Err(error);
    }
    Ok(measured)
}

/// Measures `document`.
///
/// # Errors
/// When fragments nest deeper than any real document does (a cycle the validation would
/// refuse later).
pub fn measure(
    registry: &Registry,
    document: &ExecutableDocument,
    variables: &Variables,
    list_bound: u64,
) -> ServerResult<Measured> {
    let walker = Walker {
        registry,
        document,
        variables,
        list_bound,
    };
    let mut cost = 0_u64;
    for (_, operation) in document.operations.iter() {
        let root = match operation.node.ty {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let Some(root) = root else { continue };
        let mut stack = Vec::new();
        cost = cost.max(walker.selection_set(
            &operation.node.selection_set.node,
            root,
            None,
            &mut stack,
        )?);
    }
    let mut aliases = 0;
    for (_, operation) in document.operations.iter() {
        aliases += count_aliases(&operation.node.selection_set.node);
    }
    for fragment in document.fragments.values() {
        aliases += count_aliases(&fragment.node.selection_set.node);
    }
    Ok(Measured { cost, aliases })
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some())
                    + count_aliases(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => count_aliases(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

struct Walker<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    list_bound: u64,
}

impl Walker<'_> {
    /// The cost of `set` selected on `type_name`. `page` is the page size of the connection
    /// `set` belongs to, if it is a connection's selection.
    fn selection_set(
        &self,
        set: &SelectionSet,
        type_name: &str,
        page: Option<u64>,
        fragments: &mut Vec<Name>,
    ) -> ServerResult<u64> {
        let mut total = 0_u64;
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    if name.starts_with("__") {
                        // Introspection: one per field, however large the schema.
                        1 + count_fields(&field.selection_set.node, self.document, 0)
                    } else {
                        let meta = self
                            .registry
                            .types
                            .get(type_name)
                            .and_then(|t| t.field_by_name(name));
                        match meta {
                            // Unknown here: the validation refuses it with a clear message.
                            None => 1,
                            Some(meta) => {
                                let inner = MetaTypeName::concrete_typename(&meta.ty);
                                let own_page = field
                                    .arguments
                                    .iter()
                                    .find(|(n, _)| n.node.as_str() == "first")
                                    .map(|(_, v)| self.page_size(&v.node))
                                    .or_else(|| {
                                        meta.args.contains_key("first").then_some(DEFAULT_PAGE)
                                    });
                                let children = self.selection_set(
                                    &field.selection_set.node,
                                    inner,
                                    own_page,
                                    fragments,
                                )?;
                                let times = if MetaTypeName::create(&meta.ty).is_list() {
                                    page.unwrap_or(self.list_bound)
                                } else {
                                    1
                                };
                                1_u64.saturating_add(times.saturating_mul(children))
                            }
                        }
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let on = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |c| c.node.on.node.as_str());
                    self.selection_set(&fragment.node.selection_set.node, on, page, fragments)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(definition) = self.document.fragments.get(name) else {
                        continue;
                    };
                    if fragments.len() >= MAX_FRAGMENT_NESTING || fragments.contains(name) {
                        return Err(ServerError::new(
                            format!("fragment {name} spreads itself or nests too deeply"),
                            Some(spread.pos),
                        ));
                    }
                    fragments.push(name.clone());
                    let cost = self.fragment(&definition.node, page, fragments)?;
                    fragments.pop();
                    cost
                }
            };
            total = total.saturating_add(cost);
        }
        Ok(total)
    }

    fn fragment(
        &self,
        definition: &FragmentDefinition,
        page: Option<u64>,
        fragments: &mut Vec<Name>,
    ) -> ServerResult<u64> {
        let on = definition.type_condition.node.on.node.as_str();
        self.selection_set(&definition.selection_set.node, on, page, fragments)
    }

    /// The page size a `first` argument asks for, within the largest page.
    fn page_size(&self, value: &Value) -> u64 {
        let number = match value {
            Value::Variable(name) => match self.variables.get(name) {
                Some(async_graphql::Value::Number(n)) => n.as_u64(),
                _ => None,
            },
            Value::Number(n) => n.as_u64(),
            _ => None,
        };
        number.map_or(DEFAULT_PAGE, |n| n.min(MAX_PAGE))
    }
}

/// Fields in `set`, fragments expanded (for introspection, which is counted flat).
fn count_fields(set: &SelectionSet, document: &ExecutableDocument, depth: usize) -> u64 {
    if depth > MAX_FRAGMENT_NESTING {
        return 0;
    }
    let mut seen: HashSet<&Name> = HashSet::new();
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                1 + count_fields(&field.node.selection_set.node, document, depth + 1)
            }
            Selection::InlineFragment(fragment) => {
                count_fields(&fragment.node.selection_set.node, document, depth + 1)
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                match document.fragments.get(name) {
                    Some(definition) if seen.insert(name) => {
                        count_fields(&definition.node.selection_set.node, document, depth + 1)
                    }
                    _ => 0,
                }
            }
        })
        .sum()
}

/// Refuses control characters other than tab and line breaks — a NUL byte above all, which
/// PostgreSQL cannot store or compare — in every string an operation sends, in its variables
/// and in the literal arguments of its document, with `BAD_USER_INPUT` naming where.
///
/// # Errors
/// A [`ServerError`] with `BAD_USER_INPUT` and `field`.
pub fn check_strings(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    for (name, value) in variables.iter() {
        check_const(name.as_str(), value)?;
    }
    let mut sets: Vec<&SelectionSet> = document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .collect();
    sets.extend(
        document
            .fragments
            .values()
            .map(|f| &f.node.selection_set.node),
    );
    while let Some(set) = sets.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        check_literal(name.node.as_str(), &value.node)?;
                    }
                    sets.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    sets.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    Ok(())
}

fn bad_string(path: &str) -> ServerError {
    let mut error = ServerError::new(
        format!("{path}: must not contain control characters such as NUL"),
        None,
    );
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", "BAD_USER_INPUT");
    ext.set("field", path);
    error.extensions = Some(ext);
    error
}

fn control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

fn check_const(path: &str, value: &async_graphql::Value) -> ServerResult<()> {
    use async_graphql::Value as C;
    match value {
        C::String(s) if control(s) => Err(bad_string(path)),
        C::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_const(&format!("{path}[{i}]"), v)),
        C::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| check_const(&format!("{path}.{k}"), v)),
        _ => Ok(()),
    }
}

fn check_literal(path: &str, value: &Value) -> ServerResult<()> {
    match value {
        Value::String(s) if control(s) => Err(bad_string(path)),
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_literal(&format!("{path}[{i}]"), v)),
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| check_literal(&format!("{path}.{k}"), v)),
        _ => Ok(()),
    }
}
