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

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    ExecutableDocument, Field, FragmentDefinition, OperationType, Selection, SelectionSet,
    VariableDefinition,
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

/// Measures `document`: each operation with the values it will run with — the request's
/// variables, else the operation's own defaults, else the schema's — and every fragment
/// counted wherever it is spread.
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
    let mut measured = Measured {
        cost: 0,
        aliases: 0,
    };
    for (_, operation) in document.operations.iter() {
        let root = match operation.node.ty {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        let Some(root) = root else { continue };
        let walker = Walker {
            registry,
            document,
            variables,
            defaults: &operation.node.variable_definitions,
            list_bound,
            fragments: RefCell::new(HashMap::new()),
        };
        let mut stack = Vec::new();
        let cost =
            walker.selection_set(&operation.node.selection_set.node, root, None, &mut stack)?;
        measured.cost = measured.cost.max(cost.cost);
        measured.aliases = measured.aliases.max(cost.aliases);
    }
    Ok(measured)
}

/// What a selection costs and how many aliased fields it executes.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    cost: u64,
    aliases: usize,
}

impl Cost {
    fn add(self, other: Self) -> Self {
        Self {
            cost: self.cost.saturating_add(other.cost),
            aliases: self.aliases.saturating_add(other.aliases),
        }
    }
}

struct Walker<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// The operation's variables with their defaults.
    defaults: &'a [Positioned<VariableDefinition>],
    list_bound: u64,
    /// Each fragment's cost, by the page it is spread under: measured once, however often
    /// (and however deeply) it is spread.
    fragments: RefCell<HashMap<(Name, Option<u64>), Cost>>,
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
    ) -> ServerResult<Cost> {
        let mut total = Cost::default();
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => self.field(&field.node, type_name, page, fragments)?,
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
                    let key = (name.clone(), page);
                    let known = self.fragments.borrow().get(&key).copied();
                    if let Some(cost) = known {
                        cost
                    } else {
                        fragments.push(name.clone());
                        let cost = self.fragment(&definition.node, page, fragments)?;
                        fragments.pop();
                        self.fragments.borrow_mut().insert(key, cost);
                        cost
                    }
                }
            };
            total = total.add(cost);
        }
        Ok(total)
    }

    fn field(
        &self,
        field: &Field,
        type_name: &str,
        page: Option<u64>,
        fragments: &mut Vec<Name>,
    ) -> ServerResult<Cost> {
        let alias = usize::from(field.alias.is_some());
        let name = field.name.node.as_str();
        if name.starts_with("__") {
            // Introspection: one per field, however large the schema.
            let (fields, aliases) = count_fields(&field.selection_set.node, self.document, 0);
            return Ok(Cost {
                cost: 1 + fields,
                aliases: alias.saturating_add(aliases),
            });
        }
        let meta = self
            .registry
            .types
            .get(type_name)
            .and_then(|t| t.field_by_name(name));
        // Unknown here: the validation refuses it with a clear message.
        let Some(meta) = meta else {
            return Ok(Cost {
                cost: 1,
                aliases: alias,
            });
        };
        let inner = MetaTypeName::concrete_typename(&meta.ty);
        let own_page = ["first", "last"]
            .into_iter()
            .filter_map(|argument| self.page_argument(field, meta, argument))
            .max();
        let children = self.selection_set(&field.selection_set.node, inner, own_page, fragments)?;
        let times = if MetaTypeName::create(&meta.ty).is_list() {
            page.unwrap_or(self.list_bound)
        } else {
            1
        };
        Ok(Cost {
            cost: 1_u64.saturating_add(times.saturating_mul(children.cost)),
            aliases: alias.saturating_add(children.aliases),
        })
    }

    fn fragment(
        &self,
        definition: &FragmentDefinition,
        page: Option<u64>,
        fragments: &mut Vec<Name>,
    ) -> ServerResult<Cost> {
        let on = definition.type_condition.node.on.node.as_str();
        self.selection_set(&definition.selection_set.node, on, page, fragments)
    }

    /// The page size the field's page argument `name` (`first` or `last`) will run with,
    /// within the largest page: the value written, else the request's variable, else the
    /// operation's default for it, else the schema's default — and the default page when
    /// none of these is a number. `None` when the field takes no such argument, and for a
    /// `last` not given (a page is then `first`'s).
    fn page_argument(
        &self,
        field: &Field,
        meta: &async_graphql::registry::MetaField,
        name: &str,
    ) -> Option<u64> {
        let declared = meta.args.get(name)?;
        let written = field
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == name)
            .map(|(_, v)| &v.node);
        let number = match written {
            Some(Value::Variable(variable)) => self.variable(variable).and_then(as_u64),
            Some(Value::Number(n)) => n.as_u64(),
            Some(_) => None,
            None if name == "last" => return None,
            None => declared
                .default_value
                .as_deref()
                .and_then(|text| text.parse::<u64>().ok()),
        };
        Some(number.map_or(DEFAULT_PAGE, |n| n.min(MAX_PAGE)))
    }

    /// The value variable `name` will have: the request's, else the operation's default.
    fn variable(&self, name: &Name) -> Option<&async_graphql::Value> {
        self.variables.get(name).or_else(|| {
            self.defaults
                .iter()
                .find(|d| d.node.name.node == *name)
                .and_then(|d| d.node.default_value.as_ref())
                .map(|v| &v.node)
        })
    }
}

fn as_u64(value: &async_graphql::Value) -> Option<u64> {
    match value {
        async_graphql::Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// Fields in `set` and the aliased ones among them, fragments expanded (for introspection,
/// which is counted flat; each fragment once).
fn count_fields(set: &SelectionSet, document: &ExecutableDocument, depth: usize) -> (u64, usize) {
    if depth > MAX_FRAGMENT_NESTING {
        return (0, 0);
    }
    let mut seen: HashSet<&Name> = HashSet::new();
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                let (fields, aliases) =
                    count_fields(&field.node.selection_set.node, document, depth + 1);
                (
                    1 + fields,
                    aliases + usize::from(field.node.alias.is_some()),
                )
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
                    _ => (0, 0),
                }
            }
        })
        .fold((0, 0), |(f, a), (g, b)| {
            (f.saturating_add(g), a.saturating_add(b))
        })
}

/// Refuses control characters other than tab and line breaks — a NUL byte above all, which
/// PostgreSQL cannot store or compare — in every string an operation sends, in its variables
/// and in the literal arguments of its document, with `BAD_USER_INPUT` naming the input field
/// that carries it (`input.child.name`, whether written in the document or passed in a
/// variable).
///
/// # Errors
/// A [`ServerError`] with `BAD_USER_INPUT` and `field`.
pub fn check_strings(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    // What a variable holds when the request does not give it: its default in the document.
    let defaults: HashMap<&Name, &async_graphql::Value> = document
        .operations
        .iter()
        .flat_map(|(_, op)| op.node.variable_definitions.iter())
        .filter_map(|d| Some((&d.node.name.node, &d.node.default_value.as_ref()?.node)))
        .collect();
    let given = |name: &Name| variables.get(name).or_else(|| defaults.get(name).copied());
    let mut used: HashSet<&Name> = HashSet::new();
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
                    let arguments = field.node.arguments.iter().chain(
                        field
                            .node
                            .directives
                            .iter()
                            .flat_map(|d| d.node.arguments.iter()),
                    );
                    for (name, value) in arguments {
                        check_argument(name.node.as_str(), &value.node, &given, &mut used)?;
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
    // A variable no argument takes is refused by the validation; its strings are checked
    // all the same, under its own name.
    for (name, value) in variables
        .iter()
        .chain(defaults.iter().map(|(n, v)| (*n, *v)))
    {
        if !used.contains(name) {
            check_const(&format!("${name}"), value)?;
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

/// Checks an argument's value at `path`, written in the document or passed in a variable.
fn check_argument<'a, 'v>(
    path: &str,
    value: &'a Value,
    given: &impl Fn(&Name) -> Option<&'v async_graphql::Value>,
    used: &mut HashSet<&'a Name>,
) -> ServerResult<()> {
    match value {
        Value::Variable(name) => {
            used.insert(name);
            given(name).map_or(Ok(()), |value| check_const(path, value))
        }
        Value::String(s) if control(s) => Err(bad_string(path)),
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_argument(&format!("{path}[{i}]"), v, given, used)),
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| check_argument(&format!("{path}.{k}"), v, given, used)),
        _ => Ok(()),
    }
}
