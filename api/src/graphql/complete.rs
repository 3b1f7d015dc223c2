//! A response completed as the GraphQL specification has it: fields in the order the
//! operation selected them; an error in a field makes that field `null`, and a `null` in a
//! position the schema says is never null makes its parent `null`, up to the nearest nullable
//! position (or `data` itself).
//!
//! async-graphql 7 does neither: it writes fields in the order their resolvers finish, a field
//! whose resolver fails is left out of its object (the key is missing), an object all of whose
//! fields failed becomes `null` whatever its type, and a failing root field leaves
//! `"data": null`. Relay, Apollo Client and urql read a missing key as a broken response
//! (Apollo's cache logs `Missing field`, urql hands the app a `null` typed as never null,
//! generated code crashes). [`complete`] repairs the response from the errors' paths, the
//! operation and the schema's types, then puts every object's fields in their order.

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{Name, PathSegment, Response, Value};

use crate::access_log::select_operation;

/// One step of an error's path, with the type of the value found there.
#[derive(Debug, Clone)]
struct Step {
    segment: PathSegment,
    /// The type of the value at this step, as the schema writes it (`[Case!]!`).
    ty: String,
}

/// Completes `response` to `document`'s operation `operation_name`: every error with a path
/// leaves `null` in its field, propagated through positions that are never null.
pub fn complete(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    response: &mut Response,
) {
    let Some((_, operation)) = select_operation(document, operation_name) else {
        return;
    };
    let paths: Vec<Vec<PathSegment>> = response
        .errors
        .iter()
        .filter(|e| !e.path.is_empty())
        .map(|e| e.path.clone())
        .collect();
    if !paths.is_empty() {
        null_failed(registry, document, operation, &paths, &mut response.data);
    }
    order(
        document,
        &[&operation.selection_set.node],
        &mut response.data,
    );
}

/// Leaves `null` where each of `paths` failed, propagated.
fn null_failed(
    registry: &Registry,
    document: &ExecutableDocument,
    operation: &async_graphql::parser::types::OperationDefinition,
    paths: &[Vec<PathSegment>],
    data: &mut Value,
) {
    let root = match operation.ty {
        async_graphql::parser::types::OperationType::Query => Some(registry.query_type.clone()),
        async_graphql::parser::types::OperationType::Mutation => registry.mutation_type.clone(),
        async_graphql::parser::types::OperationType::Subscription => {
            registry.subscription_type.clone()
        }
    };
    let Some(root) = root else { return };
    if matches!(data, Value::Null) {
        // The root fields failed: `data` is an object all the same, its failed fields `null`.
        *data = Value::Object(Default::default());
    }
    let types = Types { registry, document };
    for path in paths {
        let steps = types.steps(&operation.selection_set.node, &root, path);
        if null_at(data, &steps) {
            // `data` itself became null: no later error brings it back.
            return;
        }
    }
}

/// Puts the fields of every object in `value` in the order `sets` select them (fragments
/// where they are spread, the first selection of a response key deciding its place).
fn order(document: &ExecutableDocument, sets: &[&SelectionSet], value: &mut Value) {
    match value {
        Value::List(items) => {
            let fields = collect(document, sets);
            for item in items {
                order_object(document, &fields, item);
            }
        }
        Value::Object(_) => order_object(document, &collect(document, sets), value),
        _ => {}
    }
}

fn order_object(document: &ExecutableDocument, fields: &[Collected<'_>], value: &mut Value) {
    match value {
        Value::Object(map) => {
            let place = |key: &Name| {
                fields
                    .iter()
                    .position(|f| f.key == key.as_str())
                    .unwrap_or(usize::MAX)
            };
            let in_order = map
                .keys()
                .zip(map.keys().skip(1))
                .all(|(a, b)| place(a) <= place(b));
            if !in_order {
                map.sort_by(|a, _, b, _| place(a).cmp(&place(b)));
            }
            for field in fields {
                if field.sets.iter().all(|s| s.items.is_empty()) {
                    continue;
                }
                if let Some(child) = map.get_mut(field.key) {
                    order(document, &field.sets, child);
                }
            }
        }
        Value::List(items) => {
            for item in items {
                order_object(document, fields, item);
            }
        }
        _ => {}
    }
}

/// A response key with the selection sets under it.
struct Collected<'a> {
    key: &'a str,
    sets: Vec<&'a SelectionSet>,
}

/// The response keys `sets` select, in order, each with its sub-selections merged.
fn collect<'a>(document: &'a ExecutableDocument, sets: &[&'a SelectionSet]) -> Vec<Collected<'a>> {
    let mut fields = Vec::new();
    for set in sets {
        collect_into(document, set, &mut fields, 0);
    }
    fields
}

fn collect_into<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    fields: &mut Vec<Collected<'a>>,
    depth: usize,
) {
    // Fragments cannot spread themselves in a document that validated; the bound is for a
    // response completed without one.
    if depth > 32 {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                merge(
                    fields,
                    Collected {
                        key: field.response_key().node.as_str(),
                        sets: vec![&field.selection_set.node],
                    },
                );
            }
            Selection::InlineFragment(fragment) => {
                collect_into(
                    document,
                    &fragment.node.selection_set.node,
                    fields,
                    depth + 1,
                );
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect_into(
                        document,
                        &fragment.node.selection_set.node,
                        fields,
                        depth + 1,
                    );
                }
            }
        }
    }
}

fn merge<'a>(fields: &mut Vec<Collected<'a>>, field: Collected<'a>) {
    match fields.iter_mut().find(|f| f.key == field.key) {
        Some(f) => f.sets.extend(field.sets),
        None => fields.push(field),
    }
}

struct Types<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
}

impl<'a> Types<'a> {
    /// The steps of `path` from the operation's root, each with its type; it stops where the
    /// path leaves what the operation selects.
    fn steps(&self, root_set: &'a SelectionSet, root: &str, path: &[PathSegment]) -> Vec<Step> {
        let mut steps = Vec::with_capacity(path.len());
        let mut sets: Vec<&'a SelectionSet> = vec![root_set];
        let mut parent = root.to_owned();
        let mut ty = root.to_owned();
        for segment in path {
            match segment {
                PathSegment::Field(key) => {
                    let Some((field_type, inner)) = self.field(&sets, &parent, key) else {
                        break;
                    };
                    parent = MetaTypeName::concrete_typename(&field_type).to_owned();
                    ty = field_type;
                    sets = inner;
                }
                PathSegment::Index(_) => match MetaTypeName::create(&ty) {
                    MetaTypeName::List(item) => ty = item.to_owned(),
                    MetaTypeName::NonNull(inner) => match MetaTypeName::create(inner) {
                        MetaTypeName::List(item) => ty = item.to_owned(),
                        _ => break,
                    },
                    MetaTypeName::Named(_) => break,
                },
            }
            steps.push(Step {
                segment: segment.clone(),
                ty: ty.clone(),
            });
        }
        steps
    }

    /// The type of the field selected as `key` on `parent` in `sets`, with the selection sets
    /// under it.
    fn field(
        &self,
        sets: &[&'a SelectionSet],
        parent: &str,
        key: &str,
    ) -> Option<(String, Vec<&'a SelectionSet>)> {
        let mut found: Option<String> = None;
        let mut inner = Vec::new();
        for set in sets {
            self.collect(set, parent, key, &mut found, &mut inner, 0);
        }
        found.map(|ty| (ty, inner))
    }

    fn collect(
        &self,
        set: &'a SelectionSet,
        on: &str,
        key: &str,
        found: &mut Option<String>,
        inner: &mut Vec<&'a SelectionSet>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if field.response_key().node.as_str() != key {
                        continue;
                    }
                    let ty = self
                        .registry
                        .types
                        .get(on)
                        .and_then(|t| t.field_by_name(field.name.node.as_str()))
                        .map(|f| f.ty.clone());
                    if found.is_none() {
                        *found = ty;
                    }
                    inner.push(&field.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    let on = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(on, |c| c.node.on.node.as_str());
                    self.collect(
                        &fragment.node.selection_set.node,
                        on,
                        key,
                        found,
                        inner,
                        depth + 1,
                    );
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.fragment(&spread.node.fragment_name.node) {
                        self.collect(
                            &fragment.selection_set.node,
                            fragment.type_condition.node.on.node.as_str(),
                            key,
                            found,
                            inner,
                            depth + 1,
                        );
                    }
                }
            }
        }
    }

    fn fragment(&self, name: &Name) -> Option<&'a FragmentDefinition> {
        self.document.fragments.get(name).map(|f| &f.node)
    }
}

fn non_null(ty: &str) -> bool {
    ty.ends_with('!')
}

/// Leaves `null` at the end of `steps` in `data` (creating the objects on the way that
/// async-graphql left `null` because every field in them failed) and propagates it upwards
/// through positions that are never null. True when it reached `data` itself.
fn null_at(data: &mut Value, steps: &[Step]) -> bool {
    if steps.is_empty() {
        return false;
    }
    // Where the null lands: the deepest step that can hold it. A list left out whole cannot
    // be rebuilt item by item; the null then lands on the list itself.
    let end = land(data, steps, 0);
    // Propagate: a null where the type is never null nulls the position above it.
    let mut position = end;
    while position > 0 {
        if !non_null(&steps[position - 1].ty) || !is_null(data, &steps[..position]) {
            return false;
        }
        position -= 1;
        if position == 0 {
            *data = Value::Null;
            return true;
        }
        if let Some(slot) = slot(data, &steps[..position]) {
            *slot = Value::Null;
        }
    }
    false
}

/// Puts `null` at `steps[at..]` below `value`; returns the length of the path it landed at.
fn land(value: &mut Value, steps: &[Step], at: usize) -> usize {
    let Some(step) = steps.get(at) else {
        return at;
    };
    let last = at + 1 == steps.len();
    match &step.segment {
        PathSegment::Field(key) => {
            if matches!(value, Value::Null) {
                *value = Value::Object(Default::default());
            }
            let Value::Object(map) = value else {
                return at;
            };
            let child = map.entry(Name::new(key)).or_insert(Value::Null);
            if last {
                at + 1
            } else {
                land(child, steps, at + 1)
            }
        }
        PathSegment::Index(index) => {
            let fits = matches!(value, Value::List(items) if *index < items.len());
            if !fits {
                // The list is missing or shorter: it becomes null itself.
                *value = Value::Null;
                return at;
            }
            let Value::List(items) = value else {
                return at;
            };
            if last {
                items[*index] = Value::Null;
                at + 1
            } else {
                land(&mut items[*index], steps, at + 1)
            }
        }
    }
}

fn is_null(data: &Value, steps: &[Step]) -> bool {
    let mut at = data;
    for step in steps {
        at = match (&step.segment, at) {
            (PathSegment::Field(key), Value::Object(map)) => match map.get(key.as_str()) {
                Some(v) => v,
                None => return true,
            },
            (PathSegment::Index(i), Value::List(items)) => match items.get(*i) {
                Some(v) => v,
                None => return true,
            },
            _ => return true,
        };
    }
    matches!(at, Value::Null)
}

/// The value at `steps`, if there is one.
fn slot<'v>(value: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    let Some((step, rest)) = steps.split_first() else {
        return Some(value);
    };
    let next = match (&step.segment, value) {
        (PathSegment::Field(key), Value::Object(map)) => map.get_mut(key.as_str())?,
        (PathSegment::Index(i), Value::List(items)) => items.get_mut(*i)?,
        _ => return None,
    };
    slot(next, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::ServerError;
    use async_graphql::parser::parse_query;

    fn registry() -> Registry {
        crate::graphql::registry()
    }

    fn error(path: &[PathSegment]) -> ServerError {
        let mut e = ServerError::new("refused", None);
        e.path = path.to_vec();
        e
    }

    fn field(name: &str) -> PathSegment {
        PathSegment::Field(name.to_owned())
    }

    fn completed(
        query: &str,
        data: serde_json::Value,
        paths: &[&[PathSegment]],
    ) -> serde_json::Value {
        let document = parse_query(query).unwrap_or_else(|e| panic!("{e}"));
        let mut response = Response::new(Value::from_json(data).unwrap_or_default());
        response.errors = paths.iter().map(|p| error(p)).collect();
        complete(&registry(), &document, None, &mut response);
        response.data.into_json().unwrap_or_default()
    }

    #[test]
    fn a_null_that_reached_data_stays_there_whatever_fails_after() {
        // `inbox` (InboxConnection! on Query) fails: data is null, and the failed nullable
        // `case` after it does not bring an object back.
        let query = "{ inbox(municipalityId: \"x\") { totalCount } case(id: \"y\") { id } }";
        let data = completed(
            query,
            serde_json::Value::Null,
            &[&[field("inbox")], &[field("case")]],
        );
        assert_eq!(data, serde_json::Value::Null);
    }

    #[test]
    fn fields_come_in_the_order_they_were_selected() {
        let query = "{ cases { ...C nodes { reference id } } viewer { isAdmin } } fragment C on CaseConnection { totalCount }";
        let data = serde_json::json!({ "viewer": { "isAdmin": false },
            "cases": { "nodes": [ { "id": "a", "reference": "r" } ], "totalCount": 1 } });
        let document = parse_query(query).unwrap_or_else(|e| panic!("{e}"));
        let mut response = Response::new(Value::from_json(data).unwrap_or_default());
        complete(&registry(), &document, None, &mut response);
        // As it is serialized: async-graphql's map keeps its order.
        assert_eq!(
            serde_json::to_string(&response.data).unwrap_or_default(),
            r#"{"cases":{"totalCount":1,"nodes":[{"reference":"r","id":"a"}]},"viewer":{"isAdmin":false}}"#
        );
    }

    #[test]
    fn a_failed_nullable_root_field_is_null_in_data() {
        let data = completed(
            "{ case(id: \"x\") { id } }",
            serde_json::Value::Null,
            &[&[field("case")]],
        );
        assert_eq!(data, serde_json::json!({ "case": null }));
    }

    #[test]
    fn a_failed_field_that_is_never_null_nulls_its_parent_up_to_a_nullable_one() {
        // `reference` is String!, the case in `nodes` is Case!, `nodes` is [Case!]!, and
        // `cases` is CaseConnection! on Query: the null reaches `data`.
        let query = "{ cases { totalCount nodes { id reference } } }";
        let data = serde_json::json!({ "cases": { "totalCount": 2, "nodes": [ { "id": "a", "reference": "r" }, { "id": "b" } ] } });
        let path = [
            field("cases"),
            field("nodes"),
            PathSegment::Index(1),
            field("reference"),
        ];
        assert_eq!(completed(query, data, &[&path]), serde_json::Value::Null);
        // A nullable field stays where it is, with its key.
        let query = "{ case(id: \"x\") { id redirectedTo } }";
        let data = serde_json::json!({ "case": { "id": "x" } });
        let path = [field("case"), field("redirectedTo")];
        assert_eq!(
            completed(query, data, &[&path]),
            serde_json::json!({ "case": { "id": "x", "redirectedTo": null } })
        );
        // A case whose every selected field failed is an object with nulls, or null when
        // one of them may never be null: here `reference`, so the nullable `case` is null.
        let query = "{ case(id: \"x\") { reference } }";
        let path = [field("case"), field("reference")];
        assert_eq!(
            completed(query, serde_json::json!({ "case": null }), &[&path]),
            serde_json::json!({ "case": null })
        );
    }
}
