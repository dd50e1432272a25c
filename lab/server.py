"""Serves the JupyterLab front end built in build/ with jupyterlab_server's LabServerApp.

Run with a Python that has jupyterlab_server (Debian: python3-jupyterlab-server) and Jupyter Server:
    python3 server.py --LlmPriceLab.state_dir=DIR --ServerApp.root_dir=NOTEBOOKS --ServerApp.ip=127.0.0.1
The token comes from a config file named with --config (src/jupyter/process.ts writes it), kernels
from JUPYTER_PATH. User settings and workspaces are kept under state_dir, never beside the built
assets. The process that starts it also ends it, and its kernels, if that process dies (see
src/jupyter/process.ts).
"""

import atexit
import json
import os
import shutil

from jupyter_core.paths import jupyter_config_dir
from jupyterlab_server import LabServerApp
from traitlets import Unicode, default

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")

# Configuration files in the user's Jupyter folders are not read: this server is configured by its
# command line only, so it behaves the same on every machine.
os.environ["JUPYTER_NO_CONFIG"] = "1"
# With it, jupyter_core reads configuration from an empty folder it makes in the temp folder and never
# removes: remove it when the server exits (SIGTERM and /api/shutdown included).
atexit.register(shutil.rmtree, jupyter_config_dir(), ignore_errors=True)


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": LlmPriceLab}]


def _package_version():
    with open(os.path.join(HERE, "package.json"), encoding="utf-8") as manifest:
        return json.load(manifest)["version"]


class LlmPriceLab(LabServerApp):
    name = __name__
    app_name = "JupyterLab (llm-price-lab)"
    extension_url = "/lab"
    default_url = "/lab"
    # Only this front end's handlers: no other server extension found on the machine is loaded.
    load_other_extensions = False

    state_dir = Unicode(
        os.path.join(HERE, "state"), config=True, help="Folder for user settings and workspaces."
    )

    @default("app_version")
    def _app_version(self):
        return _package_version()

    @default("static_dir")
    def _static_dir(self):
        return BUILD

    @default("schemas_dir")
    def _schemas_dir(self):
        return os.path.join(BUILD, "schemas")

    @default("themes_dir")
    def _themes_dir(self):
        return os.path.join(BUILD, "themes")

    @default("templates_dir")
    def _templates_dir(self):
        return os.path.join(HERE, "templates")

    @default("app_settings_dir")
    def _app_settings_dir(self):
        return os.path.join(HERE, "settings")

    @default("user_settings_dir")
    def _user_settings_dir(self):
        return os.path.join(self.state_dir, "user-settings")

    @default("workspaces_dir")
    def _workspaces_dir(self):
        return os.path.join(self.state_dir, "workspaces")

    def initialize_settings(self):
        super().initialize_settings()
        # The front end has no terminal plugin; say so, so that it never offers one.
        self.serverapp.web_app.settings["terminals_available"] = False


if __name__ == "__main__":
    LlmPriceLab.launch_instance()
