"""Run the emulator standalone: python -m tests.emulator --port 8081"""

import argparse
import asyncio

from tests.emulator.http import EmulatorServer


async def serve(port: int) -> None:
    server = EmulatorServer()
    await server.start(port=port)
    print(f"TELEGRAM_API_BASE_URL={server.base_url}")
    print(f"TELEGRAM_API_BASE_FILE_URL={server.base_file_url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Telegram Bot API emulator")
    parser.add_argument("--port", type=int, default=8081)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
