from replaykit.cli import main

main()
