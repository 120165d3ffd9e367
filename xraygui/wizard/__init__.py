"""The Train on Folder wizard (issue 5): pages as small modules, training in a subprocess."""

from xraygui.wizard.wizard import TrainWizard

__all__ = ["TrainWizard"]
