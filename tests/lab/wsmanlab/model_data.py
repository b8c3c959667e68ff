"""Static data of the lab's Windows Server 2022: the real services, processes, disks and hot fixes.

Values follow what a freshly installed, workgroup-joined Windows Server 2022 Datacenter
(build 20348) reports through WMI.  ``model.py`` turns them into CIM instances.
"""

SVCHOST = "C:\\Windows\\system32\\svchost.exe -k %s"
LOCAL_SYSTEM = "LocalSystem"
LOCAL_SERVICE = "NT AUTHORITY\\LocalService"
NETWORK_SERVICE = "NT AUTHORITY\\NetworkService"

# (Name, DisplayName, StartMode, State, StartName, PathName, ServiceType, AcceptStop, AcceptPause, DelayedAutoStart,
#  Description)
SERVICES = [
    ("Appinfo", "Application Information", "Manual", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p", "Share Process",
     True, False, False, "Facilitates the running of interactive applications with additional administrative privileges."),
    ("AudioSrv", "Windows Audio", "Manual", "Stopped", LOCAL_SERVICE, SVCHOST % "LocalServiceNetworkRestricted -p",
     "Share Process", False, False, False, "Manages audio for Windows-based programs."),
    ("BFE", "Base Filtering Engine", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalServiceNoNetworkFirewall -p",
     "Share Process", True, False, False,
     "The Base Filtering Engine (BFE) is a service that manages firewall and Internet Protocol security (IPsec) policies."),
    ("BITS", "Background Intelligent Transfer Service", "Manual", "Stopped", LOCAL_SYSTEM, SVCHOST % "netsvcs -p",
     "Share Process", False, False, False,
     "Transfers files in the background using idle network bandwidth."),
    ("BrokerInfrastructure", "Background Tasks Infrastructure Service", "Auto", "Running", LOCAL_SYSTEM,
     SVCHOST % "DcomLaunch -p", "Share Process", False, False, False,
     "Windows infrastructure service that controls which background tasks can run on the system."),
    ("CertPropSvc", "Certificate Propagation", "Manual", "Stopped", LOCAL_SYSTEM, SVCHOST % "netsvcs", "Share Process",
     False, False, False, "Copies user certificates and root certificates from smart cards into the current user's certificate store."),
    ("CryptSvc", "Cryptographic Services", "Auto", "Running", NETWORK_SERVICE, SVCHOST % "NetworkService -p",
     "Share Process", True, False, False, "Provides three management services: Catalog Database Service, Protected Root Service and "
     "Automatic Root Certificate Update Service."),
    ("DcomLaunch", "DCOM Server Process Launcher", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "DcomLaunch -p",
     "Share Process", False, False, False, "The DCOMLAUNCH service launches COM and DCOM servers in response to object activation requests."),
    ("Dhcp", "DHCP Client", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalServiceNetworkRestricted -p",
     "Share Process", True, False, False, "Registers and updates IP addresses and DNS records for this computer."),
    ("Dnscache", "DNS Client", "Auto", "Running", NETWORK_SERVICE, SVCHOST % "NetworkService -p", "Share Process",
     False, False, False, "The DNS Client service (dnscache) caches Domain Name System (DNS) names and registers the full "
     "computer name for this computer."),
    ("DPS", "Diagnostic Policy Service", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalServiceNoNetwork -p",
     "Share Process", True, False, False, "The Diagnostic Policy Service enables problem detection, troubleshooting and resolution "
     "for Windows components."),
    ("EventLog", "Windows Event Log", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalServiceNetworkRestricted -p",
     "Share Process", False, False, False, "This service manages events and event logs."),
    ("EventSystem", "COM+ Event System", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalService -p", "Share Process",
     True, False, False, "Supports System Event Notification Service (SENS), which provides automatic distribution of events "
     "to subscribing Component Object Model (COM) components."),
    ("gpsvc", "Group Policy Client", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p", "Share Process",
     False, False, False, "The service is responsible for applying settings configured by administrators for the computer and "
     "users through the Group Policy component."),
    ("iphlpsvc", "IP Helper", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "NetSvcs -p", "Share Process", True, True, False,
     "Provides tunnel connectivity using IPv6 transition technologies (6to4, ISATAP, Port Proxy, and Teredo), and IP-HTTPS."),
    ("LanmanServer", "Server", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "smbsvcs", "Share Process", True, True, False,
     "Supports file, print, and named-pipe sharing over the network for this computer."),
    ("LanmanWorkstation", "Workstation", "Auto", "Running", NETWORK_SERVICE, SVCHOST % "NetworkService -p",
     "Share Process", True, True, False, "Creates and maintains client network connections to remote servers using the SMB protocol."),
    ("lmhosts", "TCP/IP NetBIOS Helper", "Manual", "Running", LOCAL_SERVICE, SVCHOST % "LocalServiceNetworkRestricted -p",
     "Share Process", True, False, False, "Provides support for the NetBIOS over TCP/IP (NetBT) service and NetBIOS name "
     "resolution for clients on the network."),
    ("LSM", "Local Session Manager", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "DcomLaunch -p", "Share Process",
     False, False, False, "Core Windows Service that manages local user sessions."),
    ("MpsSvc", "Windows Defender Firewall", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalServiceNoNetworkFirewall -p",
     "Share Process", False, False, False, "Windows Defender Firewall helps protect your computer by preventing unauthorized "
     "users from gaining access to your computer through the Internet or a network."),
    ("msiserver", "Windows Installer", "Manual", "Stopped", LOCAL_SYSTEM, "C:\\Windows\\system32\\msiexec.exe /V",
     "Own Process", False, False, False, "Adds, modifies, and removes applications provided as a Windows Installer (*.msi, *.msp) package."),
    ("Netlogon", "Netlogon", "Manual", "Stopped", LOCAL_SYSTEM, "C:\\Windows\\system32\\lsass.exe", "Share Process",
     False, False, False, "Maintains a secure channel between this computer and the domain controller for authenticating users and services."),
    ("NlaSvc", "Network Location Awareness", "Auto", "Running", NETWORK_SERVICE, SVCHOST % "NetworkService -p",
     "Share Process", False, False, False, "Collects and stores configuration information for the network and notifies programs "
     "when this information is modified."),
    ("nsi", "Network Store Interface Service", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalService -p",
     "Share Process", True, False, False, "This service delivers network notifications (e.g. interface addition/deleting etc) "
     "to user mode clients."),
    ("PlugPlay", "Plug and Play", "Manual", "Running", LOCAL_SYSTEM, SVCHOST % "DcomLaunch -p", "Share Process",
     True, False, False, "Enables a computer to recognize and adapt to hardware changes with little or no user input."),
    ("Power", "Power", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "DcomLaunch -p", "Share Process", False, False, False,
     "Manages power policy and power policy notification delivery."),
    ("ProfSvc", "User Profile Service", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p", "Share Process",
     False, False, False, "This service is responsible for loading and unloading user profiles."),
    ("RemoteAccess", "Routing and Remote Access", "Disabled", "Stopped", LOCAL_SYSTEM, SVCHOST % "netsvcs",
     "Share Process", False, False, False, "Offers routing services to businesses in local area and wide area network environments."),
    ("RemoteRegistry", "Remote Registry", "Auto", "Stopped", LOCAL_SERVICE, SVCHOST % "localService -p",
     "Share Process", False, False, False, "Enables remote users to modify registry settings on this computer."),
    ("RpcEptMapper", "RPC Endpoint Mapper", "Auto", "Running", NETWORK_SERVICE, SVCHOST % "RPCSS -p", "Share Process",
     False, False, False, "Resolves RPC interfaces identifiers to transport endpoints."),
    ("RpcSs", "Remote Procedure Call (RPC)", "Auto", "Running", NETWORK_SERVICE, SVCHOST % "rpcss -p", "Share Process",
     False, False, False, "The RPCSS service is the Service Control Manager for COM and DCOM servers."),
    ("SamSs", "Security Accounts Manager", "Auto", "Running", LOCAL_SYSTEM, "C:\\Windows\\system32\\lsass.exe",
     "Share Process", False, False, False, "The startup of this service signals other services that the Security Accounts "
     "Manager (SAM) is ready to accept requests."),
    ("Schedule", "Task Scheduler", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p", "Share Process",
     False, False, False, "Enables a user to configure and schedule automated tasks on this computer."),
    ("SENS", "System Event Notification Service", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p",
     "Share Process", True, False, False, "Monitors system events and notifies subscribers to COM+ Event System of these events."),
    ("Spooler", "Print Spooler", "Auto", "Running", LOCAL_SYSTEM, "C:\\Windows\\System32\\spoolsv.exe", "Own Process",
     True, False, False, "This service spools print jobs and handles interaction with the printer."),
    ("sppsvc", "Software Protection", "Auto", "Stopped", NETWORK_SERVICE, "C:\\Windows\\system32\\sppsvc.exe",
     "Own Process", False, False, True, "Enables the download, installation and enforcement of digital licenses for Windows "
     "and Windows applications."),
    ("TermService", "Remote Desktop Services", "Manual", "Running", NETWORK_SERVICE, SVCHOST % "NetworkService",
     "Share Process", True, False, False, "Allows users to connect interactively to a remote computer."),
    ("Themes", "Themes", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p", "Share Process", True, False, False,
     "Provides user experience theme management."),
    ("TrustedInstaller", "Windows Modules Installer", "Manual", "Stopped", LOCAL_SYSTEM,
     "C:\\Windows\\servicing\\TrustedInstaller.exe", "Own Process", False, False, False,
     "Enables installation, modification, and removal of Windows updates and optional components."),
    ("tzautoupdate", "Auto Time Zone Updater", "Disabled", "Stopped", LOCAL_SERVICE, SVCHOST % "LocalService -p",
     "Share Process", False, False, False, "Automatically sets the system time zone."),
    ("UALSVC", "User Access Logging Service", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p", "Share Process",
     True, False, True, "This service logs unique client access requests, in the form of IP addresses and user names, of "
     "installed products and roles on the local server."),
    ("vmicheartbeat", "Hyper-V Heartbeat Service", "Manual", "Running", LOCAL_SYSTEM, SVCHOST % "ICService -p",
     "Share Process", True, False, False, "Monitors the state of this virtual machine by reporting a heartbeat at regular intervals."),
    ("VSS", "Volume Shadow Copy", "Manual", "Stopped", LOCAL_SYSTEM, "C:\\Windows\\system32\\vssvc.exe", "Own Process",
     False, False, False, "Manages and implements Volume Shadow Copies used for backup and other purposes."),
    ("W32Time", "Windows Time", "Manual", "Stopped", LOCAL_SERVICE, SVCHOST % "LocalService", "Share Process",
     False, False, False, "Maintains date and time synchronization on all clients and servers in the network."),
    ("Wcmsvc", "Windows Connection Manager", "Auto", "Running", LOCAL_SERVICE, SVCHOST % "LocalServiceNetworkRestricted -p",
     "Share Process", True, False, False, "Makes automatic connect/disconnect decisions based on the network connectivity "
     "options currently available to the PC."),
    ("WinDefend", "Microsoft Defender Antivirus Service", "Auto", "Running", LOCAL_SYSTEM,
     "\"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.25070.5-0\\MsMpEng.exe\"", "Own Process",
     False, False, False, "Helps protect users from malware and other potentially unwanted software."),
    ("Winmgmt", "Windows Management Instrumentation", "Auto", "Running", LOCAL_SYSTEM, SVCHOST % "netsvcs -p",
     "Share Process", True, True, False, "Provides a common interface and object model to access management information "
     "about operating system, devices, applications and services."),
    ("WinRM", "Windows Remote Management (WS-Management)", "Auto", "Running", NETWORK_SERVICE,
     SVCHOST % "NetworkService -p", "Share Process", True, False, False,
     "Windows Remote Management (WinRM) service implements the WS-Management protocol for remote management."),
    ("wuauserv", "Windows Update", "Manual", "Stopped", LOCAL_SYSTEM, SVCHOST % "netsvcs -p", "Share Process",
     False, False, False, "Enables the detection, download, and installation of updates for Windows and other programs."),
]

# (dependent service, [services it depends on]) — Win32_DependentService pairs among SERVICES
DEPENDENCIES = {
    "Appinfo": ["RpcSs", "ProfSvc"],
    "AudioSrv": ["RpcSs"],
    "BITS": ["RpcSs"],
    "CertPropSvc": ["RpcSs"],
    "CryptSvc": ["RpcSs"],
    "Dhcp": ["nsi"],
    "Dnscache": ["nsi"],
    "DPS": [],
    "EventSystem": ["RpcSs"],
    "gpsvc": ["RpcSs"],
    "iphlpsvc": ["nsi", "RpcSs", "Winmgmt"],
    "LanmanServer": ["SamSs"],
    "LanmanWorkstation": ["nsi"],
    "lmhosts": [],
    "LSM": ["RpcEptMapper", "DcomLaunch", "RpcSs"],
    "MpsSvc": ["BFE"],
    "msiserver": ["RpcSs"],
    "Netlogon": ["LanmanWorkstation"],
    "NlaSvc": ["nsi", "RpcSs", "Dhcp", "EventLog"],
    "nsi": ["RpcSs"],
    "RemoteAccess": ["BFE", "RpcSs"],
    "RemoteRegistry": ["RpcSs"],
    "RpcSs": ["RpcEptMapper", "DcomLaunch"],
    "Schedule": ["RpcSs"],
    "SENS": ["EventSystem"],
    "Spooler": ["RpcSs"],
    "sppsvc": ["RpcSs"],
    "TermService": ["RpcSs"],
    "UALSVC": ["RpcSs"],
    "Wcmsvc": ["RpcSs", "nsi"],
    "WinDefend": ["RpcSs"],
    "Winmgmt": ["RpcSs"],
    "WinRM": ["RpcSs"],
    "wuauserv": ["RpcSs"],
}

# (Name, ExecutablePath or None, CommandLine or None, ParentProcessId, SessionId, Priority) — PIDs are assigned by
# model.py; svchost.exe instances come from the running services' groups.
PROCESSES = [
    ("System Idle Process", None, None, 0, 0, 0),
    ("System", None, None, 0, 0, 8),
    ("Registry", None, None, 4, 0, 8),
    ("smss.exe", "C:\\Windows\\System32\\smss.exe", "\\SystemRoot\\System32\\smss.exe", 4, 0, 11),
    ("csrss.exe", "C:\\Windows\\system32\\csrss.exe",
     "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On", 0, 0, 13),
    ("wininit.exe", "C:\\Windows\\system32\\wininit.exe", "wininit.exe", 0, 0, 13),
    ("services.exe", "C:\\Windows\\system32\\services.exe", "C:\\Windows\\system32\\services.exe", 0, 0, 9),
    ("lsass.exe", "C:\\Windows\\system32\\lsass.exe", "C:\\Windows\\system32\\lsass.exe", 0, 0, 9),
    ("winlogon.exe", "C:\\Windows\\system32\\winlogon.exe", "winlogon.exe", 0, 1, 13),
    ("fontdrvhost.exe", "C:\\Windows\\system32\\fontdrvhost.exe", "\"fontdrvhost.exe\"", 0, 0, 8),
    ("dwm.exe", "C:\\Windows\\system32\\dwm.exe", "\"dwm.exe\"", 0, 1, 13),
    ("spoolsv.exe", "C:\\Windows\\System32\\spoolsv.exe", "C:\\Windows\\System32\\spoolsv.exe", 0, 0, 8),
    ("MsMpEng.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.25070.5-0\\MsMpEng.exe",
     "\"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.25070.5-0\\MsMpEng.exe\"", 0, 0, 8),
    ("WmiPrvSE.exe", "C:\\Windows\\system32\\wbem\\wmiprvse.exe", "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
     0, 0, 8),
    ("explorer.exe", "C:\\Windows\\Explorer.EXE", "C:\\Windows\\Explorer.EXE", 0, 1, 8),
]

# (HotFixID, Description, InstalledBy, InstalledOn)
HOTFIXES = [
    ("KB5066133", "Update", "NT AUTHORITY\\SYSTEM", "10/15/2025"),
    ("KB5012170", "Security Update", "", "8/9/2022"),
    ("KB5017316", "Update", "", "9/13/2022"),
    ("KB5066782", "Security Update", "NT AUTHORITY\\SYSTEM", "10/15/2025"),
    ("KB5065999", "Update", "NT AUTHORITY\\SYSTEM", "10/15/2025"),
]
