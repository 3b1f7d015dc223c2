//! Every response holds to the committed schema's types: a test's every GraphQL answer (and
//! every subscription event) is walked against `api/schema.graphql` for the operation that was
//! sent. A selected field missing from an object, or `null` where the schema says the value is
//! never null, is what makes Relay, Apollo Client and urql throw away or misread a screen; the
//! harness fails the test on it ([`problems`]).
//!
//! The walk follows the GraphQL specification's CollectFields: fragments are merged where
//! their type condition applies to the object's runtime type (`__typename` when the operation
//! asks for it; otherwise fields of fragments on a type the object cannot be shown to have are
//! checked only where present), `@skip` and `@include` are honoured with the operation's
//! variables.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use async_graphql_parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet, Type,
    TypeKind, TypeSystemDefinition,
};
use async_graphql_parser::{Positioned, parse_query, parse_schema};
use async_graphql_value::{Name, Value as Gv};
use serde_json::Value;

/// What the walk needs of one type of the schema.
#[derive(Debug, Default)]
struct TypeInfo {
    /// Output fields and their types (objects and interfaces).
    fields: HashMap<String, Type>,
    /// The object types it stands for (interfaces and unions), or itself.
    possible: HashSet<String>,
    /// True for objects, interfaces and unions: values with a selection set.
    composite: bool,
}

/// The committed schema, read once.
struct Schema {
    types: HashMap<String, TypeInfo>,
    /// The query, mutation and subscription root types.
    roots: [String; 3],
}

const fn root_index(ty: OperationType) -> usize {
    match ty {
        OperationType::Query => 0,
        OperationType::Mutation => 1,
        OperationType::Subscription => 2,
    }
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let document = parse_schema(include_str!("../api/schema.graphql"))
            .unwrap_or_else(|e| panic!("api/schema.graphql does not parse: {e}"));
        let mut types: HashMap<String, TypeInfo> = HashMap::new();
        let mut roots = [
            "Query".to_owned(),
            "Mutation".to_owned(),
            "Subscription".to_owned(),
        ];
        let mut implementers: Vec<(String, String)> = Vec::new();
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(s) => {
                    let s = s.node;
                    for (ty, name) in [
                        (OperationType::Query, s.query),
                        (OperationType::Mutation, s.mutation),
                        (OperationType::Subscription, s.subscription),
                    ] {
                        if let Some(name) = name {
                            roots[root_index(ty)] = name.node.to_string();
                        }
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let t = t.node;
                    let name = t.name.node.to_string();
                    let info = types.entry(name.clone()).or_default();
                    match t.kind {
                        TypeKind::Object(object) => {
                            info.composite = true;
                            info.possible.insert(name.clone());
                            for field in object.fields {
                                info.fields
                                    .insert(field.node.name.node.to_string(), field.node.ty.node);
                            }
                            for interface in object.implements {
                                implementers.push((interface.node.to_string(), name.clone()));
                            }
                        }
                        TypeKind::Interface(interface) => {
                            info.composite = true;
                            for field in interface.fields {
                                info.fields
                                    .insert(field.node.name.node.to_string(), field.node.ty.node);
                            }
                        }
                        TypeKind::Union(union) => {
                            info.composite = true;
                            info.possible
                                .extend(union.members.iter().map(|m| m.node.to_string()));
                        }
                        _ => {}
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        for (interface, object) in implementers {
            types.entry(interface).or_default().possible.insert(object);
        }
        Schema { types, roots }
    })
}

/// What is wrong with `response` as the answer to `query` (with `variables`, running
/// `operation`): each problem with its path. Empty when the response holds to the schema, or
/// when it holds no data to check (a request refused as a whole).
///
/// # Panics
/// When the query does not parse: a response to it has no data to check either, so this is
/// only called for answered operations.
#[must_use]
pub fn problems(
    query: &str,
    operation: Option<&str>,
    variables: &Value,
    response: &Value,
) -> Vec<String> {
    let Some(data) = response.get("data").filter(|d| d.is_object()) else {
        return Vec::new();
    };
    let Ok(document) = parse_query(query) else {
        return Vec::new();
    };
    let selected = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match operation {
            Some(name) => ops.get(&Name::new(name)),
            None if ops.len() == 1 => ops.values().next(),
            None => None,
        },
    };
    let Some(op) = selected else {
        return vec![format!("no operation {operation:?} in the document")];
    };
    let schema = schema();
    let root = &schema.roots[root_index(op.node.ty)];
    let walk = Walk {
        schema,
        document: &document,
        variables,
    };
    let mut found = Vec::new();
    walk.object(
        &[&op.node.selection_set.node],
        root,
        data,
        "data",
        &mut found,
    );
    found
}

struct Walk<'a> {
    schema: &'a Schema,
    document: &'a ExecutableDocument,
    variables: &'a Value,
}

/// A field as collected for one object: its response key, name, and selection sets (merged
/// across the fragments that select it), and whether a fragment whose condition may not hold
/// selected it.
struct Collected<'a> {
    name: String,
    /// The type it was selected on: the type condition of the fragment that selects it.
    on: String,
    sets: Vec<&'a SelectionSet>,
    conditional: bool,
}

impl<'a> Walk<'a> {
    fn included(&self, directives: &[Positioned<async_graphql_parser::types::Directive>]) -> bool {
        directives.iter().all(|d| {
            let value = d
                .node
                .arguments
                .iter()
                .find(|(n, _)| n.node.as_str() == "if")
                .map(|(_, v)| match &v.node {
                    Gv::Boolean(b) => *b,
                    Gv::Variable(name) => self.variables[name.as_str()].as_bool().unwrap_or(false),
                    _ => false,
                });
            match (d.node.name.node.as_str(), value) {
                ("skip", Some(b)) => !b,
                ("include", Some(b)) => b,
                _ => true,
            }
        })
    }

    /// Whether a fragment on `condition` applies to an object of `static_type` whose runtime
    /// type is `runtime` (when known): `Some(true)` surely, `Some(false)` surely not, `None`
    /// when it cannot be told.
    fn applies(&self, condition: &str, static_type: &str, runtime: Option<&str>) -> Option<bool> {
        let possible = |t: &str| {
            self.schema
                .types
                .get(t)
                .map(|i| i.possible.clone())
                .unwrap_or_default()
        };
        match runtime {
            Some(object) => Some(condition == object || possible(condition).contains(object)),
            None if condition == static_type => Some(true),
            None => {
                let here = possible(static_type);
                if here.len() == 1 {
                    Some(here.is_subset(&possible(condition)))
                } else if here.is_disjoint(&possible(condition)) {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn collect(
        &self,
        set: &'a SelectionSet,
        static_type: &str,
        on: &str,
        runtime: Option<&str>,
        conditional: bool,
        into: &mut Vec<(String, Collected<'a>)>,
        seen_fragments: &mut HashSet<&'a str>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if !self.included(&field.directives) {
                        continue;
                    }
                    let key = field.response_key().node.to_string();
                    let name = field.name.node.to_string();
                    match into.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, c)) => {
                            c.sets.push(&field.selection_set.node);
                            c.conditional &= conditional;
                        }
                        None => into.push((
                            key,
                            Collected {
                                name,
                                on: on.to_owned(),
                                sets: vec![&field.selection_set.node],
                                conditional,
                            },
                        )),
                    }
                }
                Selection::InlineFragment(fragment) => {
                    if !self.included(&fragment.node.directives) {
                        continue;
                    }
                    let applies = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(Some(true), |c| {
                            self.applies(c.node.on.node.as_str(), static_type, runtime)
                        });
                    let condition = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(on, |c| c.node.on.node.as_str());
                    if applies != Some(false) {
                        self.collect(
                            &fragment.node.selection_set.node,
                            static_type,
                            condition,
                            runtime,
                            conditional || applies.is_none(),
                            into,
                            seen_fragments,
                        );
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if !self.included(&spread.node.directives) {
                        continue;
                    }
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    else {
                        continue;
                    };
                    if !seen_fragments.insert(name) {
                        continue;
                    }
                    let applies = self.applies(
                        fragment.node.type_condition.node.on.node.as_str(),
                        static_type,
                        runtime,
                    );
                    let condition = fragment.node.type_condition.node.on.node.as_str();
                    if applies != Some(false) {
                        self.collect(
                            &fragment.node.selection_set.node,
                            static_type,
                            condition,
                            runtime,
                            conditional || applies.is_none(),
                            into,
                            seen_fragments,
                        );
                    }
                    seen_fragments.remove(name);
                }
            }
        }
    }

    fn object(
        &self,
        sets: &[&'a SelectionSet],
        static_type: &str,
        value: &Value,
        path: &str,
        found: &mut Vec<String>,
    ) {
        let Some(object) = value.as_object() else {
            found.push(format!(
                "{path}: an object of type {static_type} expected, got {value}"
            ));
            return;
        };
        let runtime = object.get("__typename").and_then(Value::as_str);
        let Some(info) = self.schema.types.get(runtime.unwrap_or(static_type)) else {
            found.push(format!(
                "{path}: unknown type {}",
                runtime.unwrap_or(static_type)
            ));
            return;
        };
        let mut fields = Vec::new();
        for set in sets {
            self.collect(
                set,
                static_type,
                static_type,
                runtime,
                false,
                &mut fields,
                &mut HashSet::new(),
            );
        }
        for (key, field) in fields {
            let here = format!("{path}.{key}");
            let Some(value) = object.get(&key) else {
                if !field.conditional {
                    found.push(format!(
                        "{here}: missing (a selected field must have its key)"
                    ));
                }
                continue;
            };
            if field.name == "__typename" {
                if !value.is_string() {
                    found.push(format!("{here}: __typename must be a string"));
                }
                continue;
            }
            if field.name.starts_with("__") {
                continue;
            }
            let declared_on = |t: &str| {
                self.schema
                    .types
                    .get(t)
                    .and_then(|t| t.fields.get(&field.name))
            };
            let ty = info
                .fields
                .get(&field.name)
                .or_else(|| declared_on(&field.on))
                .or_else(|| declared_on(static_type));
            match ty {
                Some(ty) => self.value(ty, &field.sets, value, &here, found),
                None => found.push(format!("{here}: no field {} on {static_type}", field.name)),
            }
        }
    }

    fn value(
        &self,
        ty: &Type,
        sets: &[&'a SelectionSet],
        value: &Value,
        path: &str,
        found: &mut Vec<String>,
    ) {
        if value.is_null() {
            if !ty.nullable {
                found.push(format!(
                    "{path}: null where the schema says {ty} (never null)"
                ));
            }
            return;
        }
        match &ty.base {
            BaseType::List(inner) => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(inner, sets, item, &format!("{path}[{i}]"), found);
                    }
                }
                None => found.push(format!("{path}: a list ({ty}) expected, got {value}")),
            },
            BaseType::Named(name) => {
                let composite = self
                    .schema
                    .types
                    .get(name.as_str())
                    .is_some_and(|t| t.composite);
                if composite {
                    self.object(sets, name.as_str(), value, path, found);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_missing_key_or_a_misplaced_null_is_found_and_a_nullable_null_is_not() {
        let query = "query($id: ID!) { case(id: $id) { id reference ... on Case { status } } }";
        let vars = json!({ "id": "x" });
        let good =
            json!({ "data": { "case": { "id": "x", "reference": "KIT", "status": "ACTIVE" } } });
        assert!(problems(query, None, &vars, &good).is_empty());
        assert!(problems(query, None, &vars, &json!({ "data": { "case": null } })).is_empty());
        let missing = json!({ "data": { "case": { "id": "x", "status": "ACTIVE" } } });
        assert_eq!(problems(query, None, &vars, &missing).len(), 1, "{missing}");
        let null =
            json!({ "data": { "case": { "id": null, "reference": "K", "status": "ACTIVE" } } });
        assert_eq!(problems(query, None, &vars, &null).len(), 1);
        let skipped = "query($s: Boolean!) { viewer { isIntakeMember @skip(if: $s) } }";
        let answer = json!({ "data": { "viewer": {} } });
        assert!(problems(skipped, None, &json!({ "s": true }), &answer).is_empty());
        assert_eq!(
            problems(skipped, None, &json!({ "s": false }), &answer).len(),
            1
        );
    }
}
