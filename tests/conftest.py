"""Makes `tests/` importable (pytest puts a conftest's folder on sys.path), so every test folder shares
`simkit`: the fixture scenarios, quick test profiles and providers pointing at the simulator."""
