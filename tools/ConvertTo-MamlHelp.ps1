param([string] $DocsPath, [string] $ModulePath)
# Placeholder until the markdown converter lands.
