//! The schema is the product's face: committed, current, and documented throughout.

use kit_tests::harness::Field;
use serde_json::Value;

#[test]
fn committed_schema_is_current() {
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql");
    let committed =
        std::fs::read_to_string(committed_path).unwrap_or_else(|e| panic!("{committed_path}: {e}"));
    let current = kit_api::graphql::sdl();
    assert!(
        committed == current,
        "api/schema.graphql is stale: run `cargo run -p kit-api -- print-schema > api/schema.graphql`"
    );
}

const INTROSPECTION: &str = r"{
  __schema {
    types {
      name kind description
      fields { name description args { name description } }
      inputFields { name description }
      enumValues { name description }
    }
  }
}";

fn described(v: &Value) -> bool {
    v["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_value_is_documented() {
    let response = kit_api::graphql::detached().execute(INTROSPECTION).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap_or_else(|e| panic!("{e}"));
    let builtin = [
        "String", "Int", "Float", "Boolean", "ID", "Query", "Mutation",
    ];
    let mut missing = Vec::new();
    for t in data["__schema"]["types"].items().to_vec() {
        let name = t["name"].str().to_owned();
        if name.starts_with("__") {
            continue;
        }
        if !builtin.contains(&name.as_str()) && !described(&t) {
            missing.push(name.clone());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            if !described(f) {
                missing.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if !described(a) {
                    missing.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if !described(f) {
                missing.push(format!("{name}.{}", f["name"]));
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if !described(v) {
                missing.push(format!("{name}.{}", v["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

/// Every object with an `id` is a `Node` (Relay refetches it through `node(id:)`, Apollo and
/// urql normalize it by it), and every `Node` has one.
#[test]
fn every_object_with_an_id_is_a_node() {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
    let document = async_graphql_parser::parse_schema(include_str!("../../api/schema.graphql"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut missing = Vec::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let TypeKind::Object(object) = &t.node.kind else {
            continue;
        };
        let has_id = object
            .fields
            .iter()
            .any(|f| f.node.name.node == "id" && f.node.ty.node.to_string() == "ID!");
        let node = object.implements.iter().any(|i| i.node == "Node");
        if has_id != node {
            missing.push(t.node.name.node.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "objects with an id that are not a Node (or a Node without one): {missing:?}"
    );
}
