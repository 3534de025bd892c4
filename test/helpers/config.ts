/** The reverie.yaml of the end-to-end tests: a protected instructions/ namespace, the rest curated, auto mode. */
export const TEST_CONFIG = `mode: auto
engine: heuristic
memory:
  root: memory
  inbox: notes.md
  namespaces:
    - name: instructions
      paths: ["instructions/**"]
      policy: protected
    - name: notes
      paths: ["**/*.md"]
      policy: dream
sessions:
  - path: sessions/**
extract:
  min_sessions: 2
approval:
  max_prune_ratio: 0.5
`;
