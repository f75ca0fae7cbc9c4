// Validate DATA (N-Triples) against SHAPES (Turtle) with rdf-validate-shacl and
// print one JSON line per validation result: focus node, shape, component, severity.
import fs from 'node:fs'
import { Parser } from 'n3'
import { Store } from 'n3'
import SHACLValidator from 'rdf-validate-shacl'

function load (path, format) {
  return new Store(new Parser({ format }).parse(fs.readFileSync(path, 'utf8')))
}

const [shapesPath, dataPath] = process.argv.slice(2)
const validator = new SHACLValidator(load(shapesPath, 'text/turtle'))
const report = await validator.validate(load(dataPath, 'application/n-triples'))
for (const result of report.results) {
  console.log(JSON.stringify({
    focus: result.focusNode.value,
    shape: result.sourceShape.termType === 'NamedNode' ? result.sourceShape.value : null,
    component: result.sourceConstraintComponent.value,
    severity: result.severity.value
  }))
}
