// Embeds every rule document in rules/*.md (except the knowledge-base files) into the binary:
// the documents are the registry of rule texts, so no list is kept by hand.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut docs: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| {
            let id = p.file_stem()?.to_str()?.to_string();
            (!matches!(id.as_str(), "README" | "matrix")).then(|| (id, p.display().to_string()))
        })
        .collect();
    docs.sort();
    let mut out = String::from(
        "/// (rule id, document) for every rules/<id>.md.\npub const RULE_DOCS: &[(&str, &str)] = &[\n",
    );
    for (id, path) in docs {
        println!("cargo:rerun-if-changed={path}");
        out.push_str(&format!("    ({id:?}, include_str!({path:?})),\n"));
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("rule_docs.rs"),
        out,
    )
    .unwrap();
}
