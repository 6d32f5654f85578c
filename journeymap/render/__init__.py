"""Journey diagrams: DOT and Mermaid text (pure), and drawing them with Graphviz."""
